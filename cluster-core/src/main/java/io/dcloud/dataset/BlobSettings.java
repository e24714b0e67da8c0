package io.dcloud.dataset;

import com.typesafe.config.Config;

/** How blobs are cut and moved (from {@code dcloud.datasets}, see reference.conf). */
public record BlobSettings(int chunkSize, int writeParallelism, int readParallelism) {

  public BlobSettings {
    if (chunkSize < 1 || writeParallelism < 1 || readParallelism < 1) {
      throw new IllegalArgumentException("dcloud.datasets: chunk-size and the parallelisms must be positive");
    }
  }

  /** {@code root} is the whole configuration. */
  public static BlobSettings fromConfig(Config root) {
    Config config = root.getConfig("dcloud.datasets");
    return new BlobSettings(Math.toIntExact(config.getBytes("chunk-size")), config.getInt("write-parallelism"),
        config.getInt("read-parallelism"));
  }
}
