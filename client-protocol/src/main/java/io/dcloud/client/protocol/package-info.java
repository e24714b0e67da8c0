/**
 * DCloud's public actor protocol, version 1 ({@link io.dcloud.client.protocol.DCloudProtocol}).
 *
 * <p>Compatibility promise (in full in the module's PROTOCOL.md): fields are only added, and nullable;
 * nothing is ever renamed or removed; a change that must break this is a new protocol with the major
 * version in its name ({@code dcloud-client-v2}), served beside this one.
 */
package io.dcloud.client.protocol;
