package io.dcloud.device;

import io.dcloud.serialization.CborSerializable;
import java.time.Instant;

/**
 * One command to a controller and how far it got: PENDING until the broker took it (QoS 1), SENT
 * until the device acknowledges (ACKED, or REJECTED when the device says it could not), EXPIRED
 * when no acknowledgement came within the configured time. Sent again until then: at least once.
 *
 * @param params the command's parameters as a JSON object (validated against the type)
 * @param issuedBy the user, or {@code service:<name>} when an app issued it
 */
public record DeviceCommand(
    String id,
    String device,
    String name,
    String params,
    String issuedBy,
    Instant issuedAt,
    Status status,
    int attempts,
    Instant lastSentAt,
    Instant answeredAt,
    String answer)
    implements CborSerializable {

  public enum Status {
    PENDING,
    SENT,
    ACKED,
    REJECTED,
    EXPIRED;

    public boolean finished() {
      return this == ACKED || this == REJECTED || this == EXPIRED;
    }
  }
}
