package io.dcloud.device;

import java.util.function.Consumer;

/** Live readings of one device as they are accepted (the gateway's SSE); the broker module implements it. */
public interface ReadingsFeed {
  /** Calls {@code onReading} for each reading of {@code deviceId} accepted from now on, until closed. */
  AutoCloseable follow(String deviceId, Consumer<Reading> onReading);
}
