package io.dcloud.device;

import io.dcloud.secret.SecretBox;
import java.security.SecureRandom;
import java.util.HexFormat;

/**
 * The broker passwords of devices and services, derived from the cluster's secrets key
 * ({@link SecretBox#derive}): a device's from its id and credential nonce (a new nonce rotates it),
 * a service's from its name. Nothing secret is journaled, and every control node computes the same
 * broker accounts from the registry.
 */
public final class DeviceSecrets {
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final int NONCE_BYTES = 16;

  private final SecretBox box;

  public DeviceSecrets(SecretBox box) {
    this.box = box;
  }

  /** A fresh credential nonce (32 hex digits). */
  public static String newNonce() {
    byte[] bytes = new byte[NONCE_BYTES];
    RANDOM.nextBytes(bytes);
    return HexFormat.of().formatHex(bytes);
  }

  public String devicePassword(Device device) {
    return box.derive("device:" + device.id() + ":" + device.credentialNonce());
  }

  public String servicePassword(String service) {
    return box.derive("service:" + service);
  }
}
