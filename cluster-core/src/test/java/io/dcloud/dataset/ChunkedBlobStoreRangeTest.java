package io.dcloud.dataset;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dcloud.testing.InMemoryChunkStore;
import io.dcloud.testing.LocalTestKit;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** A range of a blob reads the chunks that hold it and no others. */
class ChunkedBlobStoreRangeTest {
  private static final String BYTES = "abcdefghijklmnopqrstuv"; // 22 bytes: chunks of 4, the last of 2
  private static final ActorTestKit testKit = LocalTestKit.create("blob-range-test");
  private static final InMemoryChunkStore chunks = new InMemoryChunkStore();
  private static final BlobStore blobs = new ChunkedBlobStore(chunks, new BlobSettings(4, 2, 2));

  @BeforeAll
  static void store() throws Exception {
    Source.single(ByteString.fromString(BYTES)).runWith(blobs.write("blob"), testKit.system())
        .toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
  }

  @Test
  void aRangeAcrossChunksReadsOnlyTheChunksThatHoldIt() throws Exception {
    long before = chunks.reads();

    assertThat(range(7, 13)).isEqualTo("hijklm");
    assertThat(chunks.reads() - before).as("chunks 1 to 3 of 6").isEqualTo(3);
  }

  @Test
  void theTailOfTheLastShortChunkAndAnEmptyRangeAreServed() throws Exception {
    long before = chunks.reads();

    assertThat(range(21, 22)).isEqualTo("v");
    assertThat(range(5, 5)).isEmpty();
    assertThat(chunks.reads() - before).isEqualTo(1);
  }

  @Test
  void aRangeOutsideTheBlobIsRefused() {
    assertThatThrownBy(() -> blobs.readRange("blob", BYTES.length(), 20, 23))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("20-23");
  }

  @Test
  void aMissingChunkInTheRangeFailsTheStream() {
    assertThatThrownBy(() -> range("no-such-blob", 0, 3))
        .hasRootCauseInstanceOf(ChunkedBlobStore.BlobCorrupted.class).rootCause().hasMessageContaining("chunk 0");
  }

  private static String range(long offset, long end) throws Exception {
    return range("blob", offset, end);
  }

  private static String range(String blobId, long offset, long end) throws Exception {
    return blobs.readRange(blobId, BYTES.length(), offset, end)
        .runWith(Sink.fold(ByteString.emptyByteString(), ByteString::concat), testKit.system())
        .toCompletableFuture().get(10, TimeUnit.SECONDS).decodeString(StandardCharsets.UTF_8);
  }
}
