package io.dcloud.tls;

import com.typesafe.config.Config;
import io.dcloud.client.tls.ArteryTls;
import io.dcloud.secret.Secrets;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.GeneralSecurityException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Pekko remoting between DCloud nodes over TLS with mutual authentication ({@code
 * dcloud.cluster.tls}): both ends of every connection show a certificate that a CA of the cluster's
 * trust store signed, so a process without one can neither join nor send a single message. The
 * stores are the operator's, or, when both are missing and {@code generate} is on, a throwaway CA's
 * made once ({@link DevCertificates}) and then reused by every node started with the same directory.
 */
public final class ClusterTls {
  private static final Logger LOG = LoggerFactory.getLogger(ClusterTls.class);
  private static final String SECTION = "dcloud.cluster.tls";

  private ClusterTls() {}

  /**
   * {@code config} with Artery's {@code tls-tcp} transport and its {@code config-ssl-engine} set
   * from {@value #SECTION} (unchanged when that is not enabled), making the stores first if need be.
   *
   * @throws IllegalStateException if a store is missing and cannot be made, or does not open with
   *     the password
   */
  public static Config configure(Config config) {
    Config tls = config.getConfig(SECTION);
    if (!tls.getBoolean("enabled")) {
      LOG.warn("{}.enabled = off: cluster traffic is NOT encrypted and any process that reaches the cluster port can join", SECTION);
      return config;
    }
    Path keyStore = Path.of(tls.getString("key-store")).toAbsolutePath();
    Path trustStore = Path.of(tls.getString("trust-store")).toAbsolutePath();
    String password = Secrets.passwordFrom(tls);
    ensureStores(keyStore, trustStore, password, tls.getBoolean("generate"));
    // The same Artery settings as a client's (the client module's ClientTls), so both always agree.
    Config configured = ArteryTls.configure(config, SECTION, keyStore, trustStore, password);
    LOG.info("Cluster remoting over TLS with mutual authentication (key store {}, trust store {})", keyStore, trustStore);
    return configured;
  }

  /**
   * Makes both stores when both are missing (under a lock file, so that nodes starting at once on
   * one directory make one CA, not one each); never one alone, which would not match the other.
   */
  private static void ensureStores(Path keyStore, Path trustStore, String password, boolean generate) {
    if (Files.exists(keyStore) && Files.exists(trustStore)) {
      return;
    }
    if (!generate) {
      throw new IllegalStateException("Cluster TLS: " + missing(keyStore, trustStore) + " (" + SECTION
          + ".key-store / trust-store; " + SECTION + ".generate = off, so none is made)");
    }
    Path lockFile = keyStore.getParent().resolve(".tls-generate.lock");
    try {
      Files.createDirectories(keyStore.getParent());
      try (FileChannel channel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
          FileLock ignored = channel.lock()) {
        if (Files.exists(keyStore) && Files.exists(trustStore)) {
          return;
        }
        if (Files.exists(keyStore) || Files.exists(trustStore)) {
          throw new IllegalStateException("Cluster TLS: " + missing(keyStore, trustStore)
              + " while the other store exists: install the missing one, or delete both to make a new CA");
        }
        DevCertificates.write(keyStore, trustStore, password.toCharArray());
        LOG.info("Cluster TLS: made a throwaway CA and this cluster's node certificate into {} and {}; nodes of the same"
            + " cluster need copies of both (and of the password)", keyStore, trustStore);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Cluster TLS: cannot make " + keyStore + " and " + trustStore, e);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("Cluster TLS: cannot make a certificate: " + e.getMessage(), e);
    }
  }

  private static String missing(Path keyStore, Path trustStore) {
    return (Files.exists(keyStore) ? "" : "no key store at " + keyStore + " ")
        + (Files.exists(trustStore) ? "" : "no trust store at " + trustStore);
  }
}
