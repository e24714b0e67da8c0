package io.dcloud.gateway.service;

import com.typesafe.config.Config;
import java.time.Duration;

/**
 * How this gateway calls services' replicas ({@code dcloud.services.routing} in reference.conf).
 *
 * @param refreshInterval how old a cached service view may get before it is asked for again
 * @param maxQueue requests of one service outstanding at this gateway beyond which calls get 429
 * @param requestTimeout the whole call, retry included, before a 504
 * @param attemptTimeout one replica's time to answer before an idempotent call tries another
 * @param retryAfter the Retry-After of a 429 or 503
 */
record ServiceCallSettings(
    Duration refreshInterval, int maxQueue, Duration requestTimeout, Duration attemptTimeout, Duration retryAfter) {

  static final String PATH = "dcloud.services.routing";

  static ServiceCallSettings fromConfig(Config config) {
    Config routing = config.getConfig(PATH);
    return new ServiceCallSettings(
        routing.getDuration("refresh-interval"), routing.getInt("max-queue"), routing.getDuration("request-timeout"),
        routing.getDuration("attempt-timeout"), routing.getDuration("retry-after"));
  }

  long retryAfterSeconds() {
    return Math.max(1, retryAfter.toSeconds());
  }
}
