package io.dcloud.device;

import io.dcloud.serialization.CborSerializable;
import java.time.Instant;
import java.util.Map;

/**
 * One accepted reading: the device's values (checked against its type), the time the device gave
 * (or the time it arrived when it gave none, or one too far off) and the time it arrived.
 */
public record Reading(String device, String type, Instant at, Instant receivedAt, Map<String, Object> values)
    implements CborSerializable {}
