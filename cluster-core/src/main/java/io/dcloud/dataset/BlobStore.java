package io.dcloud.dataset;

import java.util.concurrent.CompletionStage;
import org.apache.pekko.Done;
import org.apache.pekko.NotUsed;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.util.ByteString;

/**
 * Where dataset bytes live, as immutable blobs named by an id the writer picks. Streams both ways,
 * so no blob is ever held whole. Behind this interface so that a store for very large data (an
 * S3-compatible one) can stand beside the Cassandra one ({@link ChunkedBlobStore}).
 */
public interface BlobStore {

  /** Stores the bytes streamed in as blob {@code blobId}; completes once all of them are stored. */
  Sink<ByteString, CompletionStage<StoredBlob>> write(String blobId);

  /**
   * The blob's bytes; the stream fails (after the last bytes, or at a missing piece) when they do not
   * add up to {@code size} bytes of digest {@code sha256}, so a reader never takes bad bytes for whole.
   */
  Source<ByteString, NotUsed> read(String blobId, long size, String sha256);

  /**
   * Bytes {@code offset} (inclusive) to {@code end} (exclusive) of a blob of {@code size} bytes,
   * reading only the chunks that hold them. The digest covers the whole blob, so a range is not
   * checked against it: the stream fails on a missing chunk or one of the wrong length.
   */
  Source<ByteString, NotUsed> readRange(String blobId, long size, long offset, long end);

  /** Removes whatever of the blob is stored (all of it, or what an interrupted write left). */
  CompletionStage<Done> delete(String blobId);

  /** What a write stored: how many bytes, and their SHA-256 (lower-case hex). */
  record StoredBlob(long size, String sha256) {}
}
