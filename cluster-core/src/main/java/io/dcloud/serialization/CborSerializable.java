package io.dcloud.serialization;

/**
 * Marker for every message, event, snapshot and replicated value that crosses a JVM or is stored:
 * bound to Pekko's {@code jackson-cbor} serializer in {@code reference.conf}.
 */
public interface CborSerializable {}
