package io.dcloud.secret;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where the cluster's {@link SecretBox} key comes from ({@code dcloud.secrets}, cluster-core's
 * reference.conf): {@code key}, base64 of 32 bytes, the same on every node that creates or deploys
 * environments; else {@code key-file}, read, or generated (mode 600) when missing — what
 * {@code dcloud dev}'s single node does, in {@code <data-dir>/secrets.key}; else none, and
 * {@code secret-env} is refused.
 */
public final class SecretKeys {
  private static final Logger LOG = LoggerFactory.getLogger(SecretKeys.class);
  static final String KEY = "dcloud.secrets.key";
  static final String KEY_FILE = "dcloud.secrets.key-file";
  private static final SecureRandom RANDOM = new SecureRandom();

  private SecretKeys() {}

  /**
   * The box of the configured key, or empty when neither {@code key} nor {@code key-file} is set.
   *
   * @throws ConfigException.BadValue when the key (or the file's content) is not base64 of 32 bytes
   */
  public static Optional<SecretBox> fromConfig(Config root) {
    String key = root.getString(KEY).strip();
    if (!key.isEmpty()) {
      return Optional.of(box(KEY, key));
    }
    String file = root.getString(KEY_FILE).strip();
    if (file.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(box(KEY_FILE, readOrCreate(Path.of(file))));
  }

  private static SecretBox box(String setting, String base64) {
    byte[] bytes;
    try {
      bytes = Base64.getDecoder().decode(base64);
    } catch (IllegalArgumentException e) {
      throw new ConfigException.BadValue(setting, "not base64: give 32 random bytes in base64 (openssl rand -base64 32)");
    }
    if (bytes.length != SecretBox.KEY_BYTES) {
      throw new ConfigException.BadValue(setting, "holds " + bytes.length + " bytes: a secrets key is "
          + SecretBox.KEY_BYTES + " (openssl rand -base64 32)");
    }
    return new SecretBox(bytes);
  }

  /**
   * The key in {@code file}, generated first when there is none. Written to a temporary file and
   * linked into place, so processes starting at once all end up with the first one's key.
   */
  static String readOrCreate(Path file) {
    try {
      if (!Files.exists(file)) {
        create(file);
      }
      return Files.readString(file, StandardCharsets.UTF_8).strip();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read or create the secrets key file " + file.toAbsolutePath(), e);
    }
  }

  private static void create(Path file) throws IOException {
    Path dir = file.toAbsolutePath().getParent();
    Files.createDirectories(dir);
    byte[] key = new byte[SecretBox.KEY_BYTES];
    RANDOM.nextBytes(key);
    Path temporary = Files.createTempFile(
        dir, "." + file.getFileName(), ".tmp", PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    try {
      Files.writeString(temporary, Base64.getEncoder().encodeToString(key) + "\n", StandardCharsets.UTF_8);
      Files.createLink(file, temporary);
      LOG.info("Generated the secrets key into {} (readable by this user only): losing it makes every secret-env "
          + "unreadable", file.toAbsolutePath());
    } catch (FileAlreadyExistsException anotherProcessWon) {
      // Its key stands; ours is thrown away.
    } finally {
      Files.deleteIfExists(temporary);
    }
  }
}
