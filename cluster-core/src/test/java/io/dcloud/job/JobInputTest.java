package io.dcloud.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dcloud.dataset.BlobSettings;
import io.dcloud.dataset.BlobStore;
import io.dcloud.dataset.ChunkedBlobStore;
import io.dcloud.dataset.DatasetVersion;
import io.dcloud.testing.InMemoryChunkStore;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.IntStream;
import java.util.zip.GZIPOutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * A job's input cut into tasks without holding its records: a JSON-lines file ranged in place, a
 * directory copied one record a line in path order, each task's records read back alone. Small
 * chunks (1,000 bytes) make the ranges cross chunks.
 */
class JobInputTest {
  private static final ActorTestKit testKit = ActorTestKit.create("job-input-test");
  private final InMemoryChunkStore chunks = new InMemoryChunkStore();
  private final BlobStore blobs = new ChunkedBlobStore(chunks, new BlobSettings(1000, 2, 2));
  /** How far the last index said it had read. */
  private final AtomicLong bytesRead = new AtomicLong();

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  private DatasetVersion stored(byte[] bytes, String contentType) {
    String blobId = UUID.randomUUID().toString();
    BlobStore.StoredBlob blob = Source.single(ByteString.fromArray(bytes)).runWith(blobs.write(blobId), testKit.system())
        .toCompletableFuture().join();
    return new DatasetVersion(1, blobId, blob.size(), blob.sha256(), contentType, "alice", Instant.now());
  }

  private JobInput.Tasks index(DatasetVersion version, int batchSize, String jobId) {
    return JobInput.index(testKit.system(), blobs, version, batchSize, jobId, bytesRead::set).toCompletableFuture().join();
  }

  /** Every task's records in task order, read through a window of two chunks (each task checked for its 7). */
  private List<String> all(JobInput.Tasks tasks) {
    return all(tasks, 7, 2000);
  }

  private List<String> all(JobInput.Tasks tasks, int batchSize, long windowBytes) {
    InputWindow window = new InputWindow(tasks, windowBytes);
    List<String> records = new ArrayList<>();
    for (int task = 0; task < tasks.count(); task++) {
      List<String> some = window.records(testKit.system(), blobs, task).join();
      assertThat(some.size()).as("task %d", task).isEqualTo(Math.min(tasks.records() - task * batchSize, batchSize));
      records.addAll(some);
    }
    return records;
  }

  private static String record(int i) {
    // Long enough that several records fill a chunk, and a task's range crosses chunks.
    return "{\"v\": " + i + ", \"pad\": \"" + "x".repeat(i % 90) + "\"}";
  }

  @Test
  void aFileIsRangedInPlaceWithBlankLinesWhitespaceAndCarriageReturnsSkipped() {
    StringBuilder text = new StringBuilder("\n");
    for (int i = 0; i < 100; i++) {
      text.append(i % 3 == 0 ? "  " : "").append(record(i)).append(i % 5 == 0 ? "\r\n" : "\n").append(i % 7 == 0 ? "\n \n" : "");
    }
    text.append(record(100));
    DatasetVersion version = stored(text.toString().getBytes(StandardCharsets.UTF_8), "application/x-ndjson");

    JobInput.Tasks tasks = index(version, 7, "file-job");

    assertThat(tasks.records()).isEqualTo(101);
    assertThat(tasks.count()).isEqualTo(15);
    assertThat(bytesRead).as("read through, counted").hasValue(version.size());
    assertThat(tasks.blobId()).as("no copy of a file").isEqualTo(version.blobId());
    assertThat(tasks.spooled()).isFalse();
    assertThat(all(tasks)).containsExactlyElementsOf(IntStream.rangeClosed(0, 100).mapToObj(JobInputTest::record).toList());
  }

  @Test
  void tasksInOrderReadTheInputAboutOnceThroughTheWindow() {
    DatasetVersion version = stored(lines(0, 200).getBytes(StandardCharsets.UTF_8), "application/x-ndjson");
    JobInput.Tasks tasks = index(version, 2, "window-job");
    long chunksOfInput = (version.size() + 999) / 1000;
    long before = chunks.reads();

    assertThat(all(tasks, 2, 4000)).containsExactlyElementsOf(IntStream.range(0, 200).mapToObj(JobInputTest::record).toList());

    assertThat(tasks.count()).isEqualTo(100);
    assertThat(chunks.reads() - before).as("chunk reads for %d chunks", chunksOfInput).isBetween(chunksOfInput, 2 * chunksOfInput);
  }

  @Test
  void aDirectoryInAnotherOrderIsCopiedAgainInPathOrder() throws IOException {
    // In the tar: b.jsonl, a folder, a/2.jsonl, a/1.jsonl (no newline at its end); path order: a/1, a/2, b.
    byte[] tar = tar(true, List.of(
        new String[] {"b.jsonl", lines(60, 101)},
        new String[] {"a/", null},
        new String[] {"a/2.jsonl", lines(20, 60)},
        new String[] {"a/1.jsonl", lines(0, 20).strip()}));
    int before = chunks.blobs();

    JobInput.Tasks tasks = index(stored(tar, DatasetVersion.GZIPPED_TAR), 7, "dir-job");

    assertThat(tasks.records()).isEqualTo(101);
    assertThat(tasks.spooled()).isTrue();
    assertThat(tasks.blobId()).as("the copy in path order").isEqualTo(JobInput.spoolBlobIds("dir-job").get(1));
    assertThat(all(tasks)).containsExactlyElementsOf(IntStream.range(0, 101).mapToObj(JobInputTest::record).toList());
    assertThat(chunks.blobs()).as("the tar and the job's copy in path order, not the one in the tar's").isEqualTo(before + 2);
  }

  @Test
  void aDirectoryInPathOrderAlreadyIsCopiedOnce() throws IOException {
    byte[] tar = tar(false, List.of(new String[] {"a.jsonl", lines(0, 30)}, new String[] {"b.jsonl", lines(30, 50)}));
    int before = chunks.blobs();

    JobInput.Tasks tasks = index(stored(tar, DatasetVersion.TAR), 7, "sorted-job");

    assertThat(tasks.blobId()).isEqualTo(JobInput.spoolBlobIds("sorted-job").get(0));
    assertThat(all(tasks)).containsExactlyElementsOf(IntStream.range(0, 50).mapToObj(JobInputTest::record).toList());
    assertThat(chunks.blobs()).as("the tar and one copy").isEqualTo(before + 2);
  }

  @Test
  void aRecordThatIsNotJsonNamesItsFileAndLineAndLeavesNoCopy() throws IOException {
    byte[] tar = tar(false, List.of(
        new String[] {"a.jsonl", lines(0, 5)},
        new String[] {"b.jsonl", record(5) + "\n\n{not json\n"}));
    DatasetVersion version = stored(tar, DatasetVersion.TAR);
    int before = chunks.blobs();

    assertThatThrownBy(() -> index(version, 10, "bad-job"))
        .isInstanceOf(CompletionException.class)
        .rootCause().isInstanceOf(JobInput.BadInput.class).hasMessageStartingWith("line 3 of b.jsonl is not JSON: ");
    testKit.createTestProbe().awaitAssert(() -> {
      assertThat(chunks.blobs()).as("the step copy is deleted").isEqualTo(before);
      return null;
    });
  }

  @Test
  void anEmptyInputHasNoTasks() {
    JobInput.Tasks tasks = index(stored("\n \n".getBytes(StandardCharsets.UTF_8), "application/x-ndjson"), 10, "empty");
    assertThat(tasks.records()).isZero();
    assertThat(tasks.count()).isZero();
  }

  private static String lines(int from, int to) {
    StringBuilder text = new StringBuilder();
    IntStream.range(from, to).forEach(i -> text.append(record(i)).append('\n'));
    return text.toString();
  }

  /** A tar of {name, content} entries in the order given (content null: a folder). */
  private static byte[] tar(boolean gzipped, List<String[]> entries) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (OutputStream out = gzipped ? new GZIPOutputStream(bytes) : bytes;
        TarArchiveOutputStream tar = new TarArchiveOutputStream(out)) {
      for (String[] entry : entries) {
        TarArchiveEntry header = new TarArchiveEntry(entry[0]);
        byte[] content = entry[1] == null ? new byte[0] : entry[1].getBytes(StandardCharsets.UTF_8);
        header.setSize(content.length);
        tar.putArchiveEntry(header);
        tar.write(content);
        tar.closeArchiveEntry();
      }
    }
    return bytes.toByteArray();
  }
}
