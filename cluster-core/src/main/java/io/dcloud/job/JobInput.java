package io.dcloud.job;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dcloud.dataset.BlobStore;
import io.dcloud.dataset.DatasetVersion;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.zip.GZIPInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.japi.Pair;
import org.apache.pekko.stream.javadsl.Keep;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.stream.javadsl.StreamConverters;
import org.apache.pekko.util.ByteString;

/**
 * A job's records: a JSON-lines version (one JSON document per non-empty line), or a directory (a
 * tar, gzipped or not) of such files, taken in path order. Each record must be JSON: a line that is
 * not fails the job, naming the file and line, before any task is sent.
 *
 * <p>The records are never held: the input is read once, streamed, to find where each task's
 * records start, and a task's records are read when it is sent (a range of a blob). A JSON-lines
 * file is ranged in place; a directory is first written, one record a line in path order, to a blob
 * of the job's own ({@link #spoolBlobId}), since a tar (let alone a gzipped one) cannot be read
 * from the middle. So a job's memory is one number per task, whatever its input's size.
 */
final class JobInput {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final byte NEWLINE = '\n';
  /** How long reading the input may wait for its next bytes, or writing the copy for room (Cassandra's). */
  private static final Duration STALL = Duration.ofSeconds(60);

  private JobInput() {}

  /**
   * The input as tasks: {@code starts[t]} is where task {@code t}'s records start in blob {@code
   * blobId} (of {@code size} bytes), {@code starts[tasks]} its end. {@code spooled}: the blob is the
   * job's own copy of a directory, deleted when the job ends.
   */
  record Tasks(String blobId, long size, int records, long[] starts, boolean spooled) {
    int count() {
      return starts.length - 1;
    }
  }

  /** The job's copy of a directory input, one record a line in path order. */
  static String spoolBlobId(String jobId) {
    return "job-" + jobId + "-input";
  }

  /**
   * Reads {@code version} through once (on the blocking dispatcher) to cut it into tasks of {@code
   * batchSize} records; fails with {@link BadInput} naming the file and line of a record that is not JSON.
   */
  static CompletionStage<Tasks> index(ActorSystem<?> system, BlobStore blobs, DatasetVersion version, int batchSize,
      String jobId) {
    Executor blocking = system.dispatchers().lookup(DispatcherSelector.blocking());
    InputStream in = blobs.read(version.blobId(), version.size(), version.sha256())
        .runWith(StreamConverters.asInputStream(STALL), system);
    if (!version.isDirectory()) {
      return CompletableFuture.supplyAsync(() -> indexFile(in, version, batchSize), blocking);
    }
    return spool(system, blobs, in, version.isGzipped(), batchSize, spoolBlobId(jobId), blocking);
  }

  /** The records of task {@code task}, in order. */
  static CompletionStage<List<String>> records(ActorSystem<?> system, BlobStore blobs, Tasks tasks, int task) {
    return blobs.readRange(tasks.blobId(), tasks.size(), tasks.starts()[task], tasks.starts()[task + 1])
        .runWith(Sink.fold(ByteString.emptyByteString(), ByteString::concat), system)
        .thenApply(bytes -> Arrays.stream(bytes.utf8String().split("\n")).map(String::strip)
            .filter(line -> !line.isEmpty()).toList());
  }

  /** A JSON-lines file, ranged in place: each task starts at its first record's line. */
  private static Tasks indexFile(InputStream raw, DatasetVersion version, int batchSize) {
    TaskStarts starts = new TaskStarts(batchSize);
    try (Lines lines = new Lines(raw)) {
      for (byte[] line = lines.next(); line != null; line = lines.next()) {
        if (record(line, "the file", lines.number) != null) {
          starts.record(lines.start);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("the input could not be read", e);
    }
    return starts.tasks(version.blobId(), version.size(), false);
  }

  /**
   * A directory's records written to {@code spoolId}, one a line, in the tar's order; then again in
   * path order when the tar's order was another (from ranges of the first copy).
   */
  private static CompletionStage<Tasks> spool(ActorSystem<?> system, BlobStore blobs, InputStream tar, boolean gzipped,
      int batchSize, String spoolId, Executor blocking) {
    String firstId = spoolId + "-unsorted";
    Pair<OutputStream, CompletionStage<BlobStore.StoredBlob>> first = StreamConverters.asOutputStream(STALL)
        .toMat(blobs.write(firstId), Keep.both()).run(system);
    CompletionStage<List<Segment>> written = CompletableFuture.supplyAsync(() -> writeRecords(tar, gzipped, first.first()),
        blocking);
    return written.thenCombine(first.second(), Pair::create)
        .thenCompose(done -> {
          List<Segment> segments = done.first();
          BlobStore.StoredBlob stored = done.second();
          List<Segment> sorted = segments.stream().sorted(Comparator.comparing(Segment::path)).toList();
          TaskStarts starts = new TaskStarts(batchSize);
          Source<ByteString, ?> inOrder = Source.from(sorted)
              .flatMapConcat(segment -> blobs.readRange(firstId, stored.size(), segment.start(), segment.end()))
              .map(bytes -> {
                starts.scan(bytes);
                return bytes;
              });
          return inOrder.runWith(blobs.write(spoolId), system)
              .thenApply(copy -> starts.tasks(spoolId, copy.size(), true));
        })
        // The first copy is only a step (and what a bad record's failure left of it is nothing to keep).
        .whenComplete((tasks, failure) -> blobs.delete(firstId));
  }

  /** The files' records, one a line; the segment of each file. */
  private static List<Segment> writeRecords(InputStream raw, boolean gzipped, OutputStream spool) {
    List<Segment> segments = new ArrayList<>();
    long written = 0;
    try (OutputStream out = new BufferedOutputStream(spool, 64 * 1024);
        InputStream in = gzipped ? new GZIPInputStream(raw) : raw;
        TarArchiveInputStream entries = new TarArchiveInputStream(in)) {
      for (TarArchiveEntry entry = entries.getNextEntry(); entry != null; entry = entries.getNextEntry()) {
        if (!entry.isFile()) {
          continue;
        }
        long start = written;
        Lines lines = new Lines(entries);
        for (byte[] line = lines.next(); line != null; line = lines.next()) {
          byte[] record = record(line, entry.getName(), lines.number);
          if (record != null) {
            out.write(record);
            out.write(NEWLINE);
            written += record.length + 1;
          }
        }
        segments.add(new Segment(entry.getName(), start, written));
      }
    } catch (IOException e) {
      throw new UncheckedIOException("the input's tar could not be read", e);
    }
    return segments;
  }

  /** Where one file's records lie in the first copy. */
  private record Segment(String path, long start, long end) {}

  /** The line's record (its bytes stripped of surrounding blanks), null when blank; {@link BadInput} when not JSON. */
  private static byte[] record(byte[] line, String file, long number) {
    String text = new String(line, StandardCharsets.UTF_8).strip();
    if (text.isEmpty()) {
      return null;
    }
    try {
      JSON.readTree(text);
    } catch (JsonProcessingException notJson) {
      throw new BadInput("line " + number + " of " + file + " is not JSON: " + notJson.getOriginalMessage());
    }
    return text.getBytes(StandardCharsets.UTF_8);
  }

  /** The lines of a stream as bytes, with the number and the offset of the last one read. */
  private static final class Lines implements AutoCloseable {
    private final InputStream in;
    private final byte[] buffer = new byte[64 * 1024];
    private int next;
    private int end;
    private final ByteArrayOutputStream line = new ByteArrayOutputStream();
    private long position;
    long start;
    long number;

    Lines(InputStream in) {
      this.in = in;
    }

    /** The next line without its newline, null at the end. */
    byte[] next() throws IOException {
      line.reset();
      start = position;
      boolean any = false;
      while (true) {
        if (next == end) {
          end = in.read(buffer);
          next = 0;
          if (end <= 0) {
            end = 0;
            if (!any) {
              return null;
            }
            number++;
            return line.toByteArray();
          }
        }
        any = true;
        int from = next;
        while (next < end && buffer[next] != NEWLINE) {
          next++;
        }
        line.write(buffer, from, next - from);
        position += next - from;
        if (next < end) {
          next++;
          position++;
          number++;
          return line.toByteArray();
        }
      }
    }

    @Override
    public void close() throws IOException {
      in.close();
    }
  }

  /** Where every {@code batchSize}-th record starts: the tasks' starts. */
  private static final class TaskStarts {
    private final int batchSize;
    private final List<Long> starts = new ArrayList<>();
    private int records;
    /** How far {@link #scan} has read, and where the line it is in started. */
    private long position;
    private long lineStart;

    TaskStarts(int batchSize) {
      this.batchSize = batchSize;
    }

    void record(long start) {
      if (records % batchSize == 0) {
        starts.add(start);
      }
      records++;
    }

    /** Bytes of records one a line: each line that starts is a record. */
    void scan(ByteString bytes) {
      for (int i = 0; i < bytes.size(); i++) {
        if (bytes.apply(i) == NEWLINE) {
          record(lineStart);
          lineStart = position + i + 1;
        }
      }
      position += bytes.size();
    }

    Tasks tasks(String blobId, long size, boolean spooled) {
      long[] all = new long[starts.size() + 1];
      for (int i = 0; i < starts.size(); i++) {
        all[i] = starts.get(i);
      }
      all[starts.size()] = size;
      return new Tasks(blobId, size, records, all, spooled);
    }
  }

  /** The input is not records of JSON. */
  static final class BadInput extends RuntimeException {
    BadInput(String message) {
      super(message);
    }
  }
}
