package io.dcloud.dataset;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.LongStream;
import org.apache.pekko.Done;
import org.apache.pekko.NotUsed;
import org.apache.pekko.japi.Pair;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.util.ByteString;

/**
 * A {@link BlobStore} over a {@link ChunkStore}: the bytes in are cut into chunks of {@code
 * chunk-size} (the last one shorter), hashed in order, and written {@code write-parallelism} at a
 * time; reading fetches {@code read-parallelism} chunks ahead, in order, and checks size and digest; a
 * range reads only the chunks it covers.
 * At most parallelism + 1 chunks are in memory per transfer.
 */
public final class ChunkedBlobStore implements BlobStore {
  /** Ends the stream of pieces (empty pieces are dropped before it, so it cannot be mistaken). */
  private static final ByteString END = ByteString.emptyByteString();

  private final ChunkStore chunks;
  private final BlobSettings settings;

  public ChunkedBlobStore(ChunkStore chunks, BlobSettings settings) {
    this.chunks = chunks;
    this.settings = settings;
  }

  @Override
  public Sink<ByteString, CompletionStage<StoredBlob>> write(String blobId) {
    return Sink.<ByteString, CompletionStage<StoredBlob>>fromMaterializer((materializer, attributes) -> {
      MessageDigest digest = sha256();
      AtomicLong size = new AtomicLong();
      return Flow.of(ByteString.class)
          .via(rechunk(settings.chunkSize()))
          .map(chunk -> {
            digest.update(chunk.toArrayUnsafe());
            size.addAndGet(chunk.size());
            return chunk;
          })
          .zipWithIndex()
          .mapAsync(settings.writeParallelism(), (Pair<ByteString, Long> indexed) ->
              chunks.put(blobId, indexed.second(), indexed.first()))
          .toMat(Sink.ignore(), (none, done) ->
              done.thenApply(finished -> new StoredBlob(size.get(), HexFormat.of().formatHex(digest.digest()))));
    }).mapMaterializedValue(stage -> stage.thenCompose(inner -> inner));
  }

  @Override
  public Source<ByteString, NotUsed> read(String blobId, long size, String sha256) {
    long count = (size + settings.chunkSize() - 1) / settings.chunkSize();
    Source<ByteString, NotUsed> pieces = count == 0 ? Source.empty()
        : Source.range(0, Math.toIntExact(count - 1))
            .mapAsync(settings.readParallelism(), index -> chunks.get(blobId, index)
                .thenApply(chunk -> chunk.orElseThrow(() -> new BlobCorrupted(
                    "chunk " + index + " of blob " + blobId + " is missing"))));
    return pieces.concat(Source.single(END)).statefulMapConcat(() -> {
      MessageDigest digest = sha256();
      long[] seen = {0};
      return piece -> {
        if (!piece.isEmpty()) {
          digest.update(piece.toArrayUnsafe());
          seen[0] += piece.size();
          return List.of(piece);
        }
        String actual = HexFormat.of().formatHex(digest.digest());
        if (seen[0] != size || !actual.equals(sha256)) {
          throw new BlobCorrupted("blob " + blobId + " read back as " + seen[0] + " bytes of sha256 " + actual
              + ", not " + size + " bytes of " + sha256);
        }
        return List.of();
      };
    });
  }

  @Override
  public Source<ByteString, NotUsed> readRange(String blobId, long size, long offset, long end) {
    if (offset < 0 || end < offset || end > size) {
      throw new IllegalArgumentException("range " + offset + "-" + end + " is not within a blob of " + size + " bytes");
    }
    if (end == offset) {
      return Source.empty();
    }
    long chunkSize = settings.chunkSize();
    long first = offset / chunkSize;
    long last = (end - 1) / chunkSize;
    return Source.fromIterator(() -> LongStream.rangeClosed(first, last).iterator())
        .mapAsync(settings.readParallelism(), index -> chunks.get(blobId, index).thenApply(found -> {
          long start = index * chunkSize;
          long length = Math.min(chunkSize, size - start);
          ByteString chunk = found.orElseThrow(() -> new BlobCorrupted(
              "chunk " + index + " of blob " + blobId + " is missing"));
          if (chunk.size() != length) {
            throw new BlobCorrupted("chunk " + index + " of blob " + blobId + " holds " + chunk.size()
                + " bytes, not " + length);
          }
          return chunk.slice((int) Math.max(0, offset - start), (int) Math.min(length, end - start));
        }));
  }

  @Override
  public CompletionStage<Done> delete(String blobId) {
    return chunks.deleteAll(blobId);
  }

  /** Exactly {@code size} bytes per piece, the last one shorter; none for an empty stream. */
  static Flow<ByteString, ByteString, NotUsed> rechunk(int size) {
    return Flow.of(ByteString.class)
        .filter(piece -> !piece.isEmpty())
        .concat(Source.single(END))
        .statefulMapConcat(() -> {
          ByteString[] buffer = {ByteString.emptyByteString()};
          return piece -> {
            if (piece.isEmpty()) {
              return buffer[0].isEmpty() ? List.of() : List.of(buffer[0].compact());
            }
            ByteString all = buffer[0].concat(piece);
            java.util.ArrayList<ByteString> full = new java.util.ArrayList<>();
            while (all.size() >= size) {
              full.add(all.take(size).compact());
              all = all.drop(size);
            }
            buffer[0] = all;
            return full;
          };
        });
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java has SHA-256", e);
    }
  }

  /** The stored bytes are not what was written (a chunk lost, or altered). */
  public static final class BlobCorrupted extends RuntimeException {
    public BlobCorrupted(String message) {
      super(message);
    }
  }
}
