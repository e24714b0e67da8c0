package io.dcloud.job;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dcloud.dataset.BlobStore;
import io.dcloud.dataset.DatasetVersion;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.function.LongConsumer;
import java.util.zip.GZIPInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.japi.Pair;
import org.apache.pekko.stream.javadsl.Keep;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.stream.javadsl.StreamConverters;
import org.apache.pekko.util.ByteString;

/**
 * A job's records: a JSON-lines version (one JSON document per non-empty line), or a directory (a
 * tar, gzipped or not) of such files, taken in path order. Each record must be JSON: a line that is
 * not fails the job, naming the file and line, before any task is sent.
 *
 * <p>The records are never held: the input is read once, streamed, to find where each task's
 * records start, and a task's records are read when it is sent (a range of a blob, through an
 * {@link InputWindow}). A JSON-lines
 * file is ranged in place; a directory is first written, one record a line in path order, to a blob
 * of the job's own ({@link #spoolBlobIds}), since a tar (let alone a gzipped one) cannot be read
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

  /**
   * The blobs a job with a directory input may have made: its copy of the records in the tar's
   * order, and (when that was not path order) the copy in path order; both deleted when it ends.
   */
  static List<String> spoolBlobIds(String jobId) {
    return List.of(tarOrderBlobId(jobId), pathOrderBlobId(jobId));
  }

  private static String tarOrderBlobId(String jobId) {
    return "job-" + jobId + "-input";
  }

  private static String pathOrderBlobId(String jobId) {
    return "job-" + jobId + "-input-in-path-order";
  }

  /**
   * Reads {@code version} through once (on the blocking dispatcher) to cut it into tasks of {@code
   * batchSize} records, telling {@code bytesRead} how far it got; fails with {@link BadInput} naming
   * the file and line of a record that is not JSON.
   */
  static CompletionStage<Tasks> index(ActorSystem<?> system, BlobStore blobs, DatasetVersion version, int batchSize,
      String jobId, LongConsumer bytesRead) {
    Executor blocking = system.dispatchers().lookup(DispatcherSelector.blocking());
    InputStream in = new Counted(blobs.read(version.blobId(), version.size(), version.sha256())
        .runWith(StreamConverters.asInputStream(STALL), system), bytesRead);
    if (!version.isDirectory()) {
      return CompletableFuture.supplyAsync(() -> indexFile(in, version, batchSize), blocking);
    }
    return spool(system, blobs, in, version.isGzipped(), batchSize, jobId, blocking);
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
   * A directory's records copied one a line, in the tar's order, which is path order when the tar
   * was made so ({@code tar --sort=name}); when it is not (a plain {@code tar -c} takes the folder's
   * order), copied again in path order, from ranges of the first copy, which is then deleted.
   */
  private static CompletionStage<Tasks> spool(ActorSystem<?> system, BlobStore blobs, InputStream tar, boolean gzipped,
      int batchSize, String jobId, Executor blocking) {
    String tarOrderId = tarOrderBlobId(jobId);
    Pair<OutputStream, CompletionStage<BlobStore.StoredBlob>> copy = StreamConverters.asOutputStream(STALL)
        .toMat(blobs.write(tarOrderId), Keep.both()).run(system);
    TaskStarts inTarOrder = new TaskStarts(batchSize);
    CompletionStage<List<Segment>> written = CompletableFuture.supplyAsync(
        () -> writeRecords(tar, gzipped, copy.first(), inTarOrder), blocking);
    return written.thenCombine(copy.second(), Pair::create)
        .thenCompose(done -> {
          List<Segment> segments = done.first();
          List<Segment> sorted = segments.stream().sorted(Comparator.comparing(Segment::path)).toList();
          if (sorted.equals(segments)) {
            return CompletableFuture.completedFuture(inTarOrder.tasks(tarOrderId, done.second().size(), true));
          }
          String pathOrderId = pathOrderBlobId(jobId);
          TaskStarts inPathOrder = new TaskStarts(batchSize);
          return Source.from(sorted)
              .flatMapConcat(segment -> blobs.readRange(tarOrderId, done.second().size(), segment.start(), segment.end()))
              .map(bytes -> {
                inPathOrder.scan(bytes);
                return bytes;
              })
              .runWith(blobs.write(pathOrderId), system)
              .thenApply(stored -> {
                blobs.delete(tarOrderId);
                return inPathOrder.tasks(pathOrderId, stored.size(), true);
              });
        })
        .whenComplete((tasks, failure) -> {
          if (failure != null) {
            // What a bad record (or a failed write) left of the copies is nothing to keep.
            spoolBlobIds(jobId).forEach(blobs::delete);
          }
        });
  }

  /** The files' records, one a line (each noted in {@code starts}); the segment of each file. */
  private static List<Segment> writeRecords(InputStream raw, boolean gzipped, OutputStream spool, TaskStarts starts) {
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
            starts.record(written);
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

  /** Where one file's records lie in the copy in the tar's order. */
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

  /** The input's bytes as they are read, counted (of the blob: a gzipped tar's compressed bytes). */
  private static final class Counted extends FilterInputStream {
    private final LongConsumer bytesRead;
    private long count;

    Counted(InputStream in, LongConsumer bytesRead) {
      super(in);
      this.bytesRead = bytesRead;
    }

    @Override
    public int read() throws IOException {
      int b = super.read();
      if (b >= 0) {
        bytesRead.accept(++count);
      }
      return b;
    }

    @Override
    public int read(byte[] buffer, int offset, int length) throws IOException {
      int n = super.read(buffer, offset, length);
      if (n > 0) {
        count += n;
        bytesRead.accept(count);
      }
      return n;
    }
  }

  /** The input is not records of JSON. */
  static final class BadInput extends RuntimeException {
    BadInput(String message) {
      super(message);
    }
  }
}
