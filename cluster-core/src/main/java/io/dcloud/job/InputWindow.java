package io.dcloud.job;

import io.dcloud.dataset.BlobStore;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.util.ByteString;

/**
 * A job's reads of its tasks' records, through a window of its input: the blob store reads whole
 * chunks (a MiB), far more than a task's records, so a window of {@code windowBytes} (aligned to
 * it) is read once and the tasks inside it, which are mostly sent in order, are cut from it. Only
 * the window last read is kept. Used from the job's actor alone.
 */
final class InputWindow {
  private final JobInput.Tasks tasks;
  private final long windowBytes;
  private long start = -1;
  private long end = -1;
  private CompletableFuture<ByteString> bytes;

  InputWindow(JobInput.Tasks tasks, long windowBytes) {
    this.tasks = tasks;
    this.windowBytes = windowBytes;
  }

  JobInput.Tasks tasks() {
    return tasks;
  }

  /** The records of task {@code task}, in order. */
  CompletableFuture<List<String>> records(ActorSystem<?> system, BlobStore blobs, int task) {
    long from = tasks.starts()[task];
    long to = tasks.starts()[task + 1];
    if (bytes == null || bytes.isCompletedExceptionally() || from < start || to > end) {
      start = from / windowBytes * windowBytes;
      end = Math.min(tasks.size(), Math.max(start + windowBytes, (to + windowBytes - 1) / windowBytes * windowBytes));
      bytes = blobs.readRange(tasks.blobId(), tasks.size(), start, end)
          .runWith(Sink.fold(ByteString.emptyByteString(), ByteString::concat), system)
          .toCompletableFuture();
    }
    long base = start;
    return bytes.thenApply(window -> records(window.slice((int) (from - base), (int) (to - base))));
  }

  /** The records of a task's bytes: its lines stripped, blank ones left out. */
  static List<String> records(ByteString lines) {
    return Arrays.stream(lines.utf8String().split("\n")).map(String::strip).filter(line -> !line.isEmpty()).toList();
  }
}
