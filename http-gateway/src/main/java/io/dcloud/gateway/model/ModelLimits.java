package io.dcloud.gateway.model;

import com.typesafe.config.Config;
import java.time.Duration;

/**
 * The bounds of a model upload ({@code dcloud.models}): the artifact's size, the contract's and
 * config's, where the artifact waits on disk, and how far a config may go.
 */
public record ModelLimits(
    long maxSize, long maxDocumentSize, String spoolDirectory, Duration transferTimeout, int maxReplicas,
    int maxBatchSize, int maxBatchWaitMs) {

  public static ModelLimits fromConfig(Config root) {
    Config models = root.getConfig("dcloud.models");
    return new ModelLimits(
        models.getBytes("max-size"),
        models.getBytes("max-document-size"),
        models.getString("spool-directory"),
        models.getDuration("transfer-timeout"),
        models.getInt("max-replicas"),
        models.getInt("batching.max-size"),
        (int) models.getDuration("batching.max-wait").toMillis());
  }
}
