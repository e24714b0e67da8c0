package io.dcloud.spec;

import io.dcloud.serialization.CborSerializable;

/** A port as the engine actually bound it: where to reach the environment's {@code containerPort}. */
public record PublishedPort(int containerPort, String protocol, String hostIp, Integer hostPort)
    implements CborSerializable {}
