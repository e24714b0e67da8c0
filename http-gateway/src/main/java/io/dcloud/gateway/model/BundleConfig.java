package io.dcloud.gateway.model;

import com.fasterxml.jackson.databind.JsonNode;
import io.dcloud.contracts.TarHeader;
import io.dcloud.dataset.BlobStore;
import io.dcloud.dataset.DatasetState;
import io.dcloud.dataset.DatasetVersion;
import io.dcloud.gateway.common.JsonYaml;
import io.dcloud.gateway.common.JsonYaml.BodyFormat;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.util.ByteString;

/**
 * The config an upload keeps as the first entry of its dataset version's tar (a model's
 * {@code config.json}, an app's {@code dcloud-app.json}): read back from the first blocks alone,
 * however large the rest of the version is.
 */
public final class BundleConfig {
  private BundleConfig() {}

  /** The latest version's config, which must be its first entry, named {@code entry}. */
  public static CompletionStage<JsonNode> latest(DatasetState state, String entry, BlobStore blobs, JsonYaml codec,
      ActorSystem<?> system) {
    return of(state.latest().orElseThrow(), entry, blobs, codec, system);
  }

  /** One version's config, which must be its first entry, named {@code entry}. */
  static CompletionStage<JsonNode> of(DatasetVersion latest, String entry, BlobStore blobs, JsonYaml codec,
      ActorSystem<?> system) {
    long header = TarHeader.BLOCK;
    return blobs.readRange(latest.blobId(), latest.size(), 0, header)
        .runFold(ByteString.emptyByteString(), ByteString::concat, system)
        .thenCompose(first -> blobs.readRange(latest.blobId(), latest.size(), header,
                header + firstEntrySize(first, entry))
            .runFold(ByteString.emptyByteString(), ByteString::concat, system))
        .thenApply(bytes -> codec.read(BodyFormat.JSON, bytes));
  }

  /** The size of a tar's first entry, from its first block; it must be {@code entry}. */
  static long firstEntrySize(ByteString header, String entry) {
    String name = header.slice(0, 100).utf8String().replace("\0", "");
    if (!entry.equals(name)) {
      throw new IllegalStateException("the version does not begin with " + entry + " but " + name);
    }
    return Long.parseLong(header.slice(124, 135).utf8String().replace("\0", "").trim(), 8);
  }
}
