package io.dcloud.spec;

import io.dcloud.serialization.CborSerializable;

/**
 * What makes an environment a replica of service {@code name}: the node that runs it probes
 * {@code readinessPath} on container {@code port} and reports whether it answers 2xx.
 */
public record ServiceBinding(String name, int port, String readinessPath) implements CborSerializable {}
