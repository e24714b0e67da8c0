package io.dcloud.client.tls;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.Collections;
import java.util.Map;

/**
 * Pekko remoting over TLS with mutual authentication from two PKCS#12 stores sharing one password:
 * both ends of every connection show a certificate a CA of the trust store signed. The nodes
 * (the app's ClusterTls) and clients ({@link ClientTls}) set it up alike, so they always agree.
 */
public final class ArteryTls {
  private static final String ENGINE = "pekko.remote.artery.ssl.config-ssl-engine.";

  private ArteryTls() {}

  /**
   * {@code config} with Artery's {@code tls-tcp} transport over these stores, once both opened with
   * the password. {@code section} names the settings in messages (e.g. {@code dcloud.cluster.tls}).
   *
   * @throws IllegalStateException naming the store that is missing, does not open or holds nothing usable
   */
  public static Config configure(Config config, String section, Path keyStore, Path trustStore, String password) {
    check(keyStore, section, "key-store", password, true);
    check(trustStore, section, "trust-store", password, false);
    return ConfigFactory.parseMap(Map.of(
            "pekko.remote.artery.transport", "tls-tcp",
            "pekko.remote.artery.ssl.ssl-engine-provider", "org.apache.pekko.remote.artery.tcp.ConfigSSLEngineProvider",
            ENGINE + "key-store", keyStore.toString(),
            ENGINE + "trust-store", trustStore.toString(),
            ENGINE + "key-store-password", password,
            ENGINE + "key-password", password,
            ENGINE + "trust-store-password", password,
            ENGINE + "require-mutual-authentication", true))
        .withFallback(config);
  }

  /** Fails at start, naming the file, rather than at the first connection, deep in Pekko's log. */
  private static void check(Path file, String section, String key, String password, boolean needsKey) {
    try (InputStream in = Files.newInputStream(file)) {
      KeyStore store = KeyStore.getInstance("PKCS12");
      store.load(in, password.toCharArray());
      boolean usable = false;
      for (String alias : Collections.list(store.aliases())) {
        usable |= needsKey ? store.isKeyEntry(alias) : store.isCertificateEntry(alias);
      }
      if (!usable) {
        throw new IllegalStateException("Cluster TLS: " + section + "." + key + " " + file + " holds no "
            + (needsKey ? "private key" : "trusted certificate"));
      }
    } catch (IOException | GeneralSecurityException e) {
      throw new IllegalStateException("Cluster TLS: cannot open " + section + "." + key + " " + file
          + " with the configured password (" + section + ".password or its password-file): " + e.getMessage(), e);
    }
  }
}
