package io.dcloud.job;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dcloud.dataset.BlobStore;
import io.dcloud.dataset.DatasetVersion;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.zip.GZIPInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.stream.javadsl.StreamConverters;
import org.apache.pekko.util.ByteString;

/**
 * A job's records: a JSON-lines version (one JSON document per non-empty line), or a directory (a
 * tar, gzipped or not) of such files, taken in path order. Each record must be JSON: a line that is
 * not fails the job, naming the file and line, before any task is sent.
 */
final class JobInput {
  private static final ObjectMapper JSON = new ObjectMapper();

  private JobInput() {}

  /** The records, read on the blocking dispatcher (a tar is read as a stream); fails with {@link BadInput}. */
  static CompletionStage<List<String>> read(ActorSystem<?> system, BlobStore blobs, DatasetVersion version) {
    var bytes = blobs.read(version.blobId(), version.size(), version.sha256());
    if (!version.isDirectory()) {
      return bytes.runFold(ByteString.emptyByteString(), ByteString::concat, system)
          .thenApply(all -> records("the file", all.utf8String(), new ArrayList<>()));
    }
    InputStream tar = bytes.runWith(StreamConverters.asInputStream(), system);
    return CompletableFuture.supplyAsync(() -> fromTar(tar, version.isGzipped()),
        system.dispatchers().lookup(DispatcherSelector.blocking()));
  }

  private static List<String> fromTar(InputStream raw, boolean gzipped) {
    Map<String, String> files = new TreeMap<>();
    try (InputStream in = gzipped ? new GZIPInputStream(raw) : raw;
        TarArchiveInputStream entries = new TarArchiveInputStream(in)) {
      for (TarArchiveEntry entry = entries.getNextEntry(); entry != null; entry = entries.getNextEntry()) {
        if (entry.isFile()) {
          files.put(entry.getName(), new String(entries.readAllBytes(), StandardCharsets.UTF_8));
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("the input's tar could not be read", e);
    }
    List<String> records = new ArrayList<>();
    files.forEach((path, text) -> records(path, text, records));
    return records;
  }

  /** Adds the records of {@code text} (from {@code file}) to {@code records}. */
  static List<String> records(String file, String text, List<String> records) {
    String[] lines = text.split("\n", -1);
    for (int i = 0; i < lines.length; i++) {
      String line = lines[i].strip();
      if (line.isEmpty()) {
        continue;
      }
      try {
        JSON.readTree(line);
      } catch (JsonProcessingException notJson) {
        throw new BadInput("line " + (i + 1) + " of " + file + " is not JSON: " + notJson.getOriginalMessage());
      }
      records.add(line);
    }
    return records;
  }

  /** The input is not records of JSON. */
  static final class BadInput extends RuntimeException {
    BadInput(String message) {
      super(message);
    }
  }
}
