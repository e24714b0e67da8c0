package io.dcloud.testing;

import io.dcloud.dataset.ChunkStore;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.pekko.Done;
import org.apache.pekko.util.ByteString;

/** Chunks in a map, for tests that run without Cassandra (the gateway's, the entity's). */
public final class InMemoryChunkStore implements ChunkStore {
  private final Map<String, Map<Long, ByteString>> blobs = new ConcurrentHashMap<>();
  private final AtomicLong reads = new AtomicLong();

  @Override
  public CompletionStage<Done> put(String blobId, long index, ByteString chunk) {
    blobs.computeIfAbsent(blobId, id -> new ConcurrentHashMap<>()).put(index, chunk);
    return CompletableFuture.completedFuture(Done.getInstance());
  }

  @Override
  public CompletionStage<Optional<ByteString>> get(String blobId, long index) {
    reads.incrementAndGet();
    return CompletableFuture.completedFuture(Optional.ofNullable(blobs.getOrDefault(blobId, Map.of()).get(index)));
  }

  @Override
  public CompletionStage<Done> deleteAll(String blobId) {
    blobs.remove(blobId);
    return CompletableFuture.completedFuture(Done.getInstance());
  }

  /** How many chunks of the blob are stored. */
  public int chunks(String blobId) {
    return blobs.getOrDefault(blobId, Map.of()).size();
  }

  /** How many chunk reads were asked of this store so far (found or not). */
  public long reads() {
    return reads.get();
  }

  /** How many blobs have any chunk stored. */
  public int blobs() {
    return (int) blobs.values().stream().filter(chunks -> !chunks.isEmpty()).count();
  }
}
