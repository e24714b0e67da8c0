package io.dcloud.secret;

import com.typesafe.config.Config;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Passwords DCloud needs (its Cassandra role's, its cluster key stores'): the configured one, or
 * else one generated once into a file that only this user may read. Generated, not a fixed default,
 * so that another user of the machine cannot guess it; in a file, so that every process started with
 * the same data directory (the embedded Cassandra, the nodes) finds the same one.
 */
public final class Secrets {
  private static final Logger LOG = LoggerFactory.getLogger(Secrets.class);
  private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");
  private static final int RANDOM_BYTES = 24;
  private static final SecureRandom RANDOM = new SecureRandom();

  private Secrets() {}

  /**
   * The section's {@code password} when it is not empty, else the content of its {@code
   * password-file}, generated if missing ({@link #readOrCreate}).
   */
  public static String passwordFrom(Config section) {
    String configured = section.getString("password");
    return configured.isEmpty() ? readOrCreate(Path.of(section.getString("password-file"))) : configured;
  }

  /**
   * The password in {@code file}; if there is none, a random one is written there first (mode 600).
   * Processes that start at once end up with the same one: it is written to a temporary file and
   * linked into place, which fails for all but the first.
   */
  public static String readOrCreate(Path file) {
    try {
      if (!Files.exists(file)) {
        create(file);
      }
      String password = Files.readString(file, StandardCharsets.UTF_8).strip();
      if (password.isEmpty()) {
        throw new IllegalStateException("The password file " + file.toAbsolutePath() + " is empty: delete it or write a password in it");
      }
      return password;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read or create the password file " + file.toAbsolutePath(), e);
    }
  }

  private static void create(Path file) throws IOException {
    Path dir = file.toAbsolutePath().getParent();
    Files.createDirectories(dir);
    byte[] bytes = new byte[RANDOM_BYTES];
    RANDOM.nextBytes(bytes);
    Path temporary = Files.createTempFile(dir, "." + file.getFileName(), ".tmp", PosixFilePermissions.asFileAttribute(OWNER_ONLY));
    try {
      Files.writeString(temporary, Base64.getUrlEncoder().withoutPadding().encodeToString(bytes) + "\n", StandardCharsets.UTF_8);
      Files.createLink(file, temporary);
      LOG.info("Generated a password into {} (readable by this user only)", file.toAbsolutePath());
    } catch (FileAlreadyExistsException anotherProcessWon) {
      // Its password stands; ours is thrown away.
    } finally {
      Files.deleteIfExists(temporary);
    }
  }
}
