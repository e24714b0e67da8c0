package io.dcloud.dataset;

import java.util.Optional;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.Done;
import org.apache.pekko.util.ByteString;

/**
 * The numbered chunks of blobs, as a key-value store keeps them ({@link ChunkedBlobStore} cuts and
 * joins them). Chunks of one blob are written with bounded parallelism, so an interrupted write may
 * leave holes, but never more than {@code parallelism} chunks wide.
 */
public interface ChunkStore {

  CompletionStage<Done> put(String blobId, long index, ByteString chunk);

  /** Empty when the chunk is not stored. */
  CompletionStage<Optional<ByteString>> get(String blobId, long index);

  /** Every chunk of the blob, however many were written. */
  CompletionStage<Done> deleteAll(String blobId);
}
