package io.dcloud.client.tls;

import com.typesafe.config.Config;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The client's side of the cluster's mutual TLS ({@code dcloud.client.tls}): its own key store,
 * with a certificate the cluster's CA signed, and the cluster's trust store. Unlike a node, a client
 * never makes stores or a password: it can only use what the cluster's operator gave it.
 */
public final class ClientTls {
  private static final Logger LOG = LoggerFactory.getLogger(ClientTls.class);
  static final String SECTION = "dcloud.client.tls";

  private ClientTls() {}

  /** {@code pekko} (the client system's settings) with TLS from {@code tls}; unchanged when it is off. */
  public static Config configure(Config pekko, Config tls) {
    if (!tls.getBoolean("enabled")) {
      LOG.warn("{}.enabled = off: this client talks to the cluster in clear text", SECTION);
      return pekko;
    }
    Path keyStore = required(tls, "key-store");
    Path trustStore = required(tls, "trust-store");
    String password = tls.getString("password");
    if (password.isEmpty()) {
      password = read(required(tls, "password-file"));
    }
    Config configured = ArteryTls.configure(pekko, SECTION, keyStore, trustStore, password);
    LOG.info("Cluster remoting over TLS with mutual authentication (key store {}, trust store {})", keyStore, trustStore);
    return configured;
  }

  private static Path required(Config tls, String key) {
    String value = tls.getString(key);
    if (value.isBlank()) {
      throw new IllegalStateException("Cluster TLS: " + SECTION + "." + key + " is not set (or set "
          + SECTION + ".enabled = off against a cluster without TLS)");
    }
    return Path.of(value).toAbsolutePath();
  }

  private static String read(Path file) {
    try {
      return Files.readString(file, StandardCharsets.UTF_8).strip();
    } catch (IOException e) {
      throw new UncheckedIOException("Cluster TLS: cannot read " + SECTION + ".password-file " + file, e);
    }
  }
}
