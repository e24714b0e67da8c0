package io.dcloud.gateway.event;

import com.typesafe.config.Config;
import java.time.Duration;

/** {@code dcloud.http.events} (see reference.conf): the bounds of the event stream's buffers. */
record EventSettings(Duration retention, int maxEntries, int clientBuffer, Duration nodePollInterval) {

  static EventSettings fromConfig(Config config) {
    Config events = config.getConfig("dcloud.http.events");
    return new EventSettings(
        events.getDuration("retention"),
        events.getInt("max-entries"),
        events.getInt("client-buffer"),
        events.getDuration("node-poll-interval"));
  }
}
