package io.dcloud.gateway.app;

import com.typesafe.config.Config;
import java.time.Duration;

/**
 * The bounds of an app push ({@code dcloud.apps}): the source archive's size as sent and as
 * unpacked, the config's, where the archive waits on disk, how long a push may take; and the most
 * replicas a service may have ({@code dcloud.services.max-replicas}).
 */
public record AppLimits(
    long maxSize, long maxExpandedSize, long maxDocumentSize, String spoolDirectory, Duration transferTimeout,
    int maxReplicas) {

  public static AppLimits fromConfig(Config root) {
    Config apps = root.getConfig("dcloud.apps");
    return new AppLimits(
        apps.getBytes("max-size"),
        apps.getBytes("max-expanded-size"),
        apps.getBytes("max-document-size"),
        apps.getString("spool-directory"),
        apps.getDuration("transfer-timeout"),
        root.getInt("dcloud.services.max-replicas"));
  }
}
