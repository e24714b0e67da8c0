package io.dcloud.client.protocol;

/**
 * Marks the records of {@link DCloudProtocol}, bound to Jackson CBOR in this module's reference.conf;
 * a marker of its own, so a client needs none of the cluster's modules to send them.
 */
public interface ProtocolSerializable {}
