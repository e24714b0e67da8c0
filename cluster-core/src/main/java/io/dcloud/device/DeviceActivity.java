package io.dcloud.device;

import java.time.Instant;

/** What a device sent: readings kept and dropped, and why the last one was dropped (nulls: never). */
public record DeviceActivity(
    long accepted, long rejected, Instant lastReadingAt, Instant lastRejectedAt, String lastRejectionReason) {
  public static final DeviceActivity NONE = new DeviceActivity(0, 0, null, null, null);
}
