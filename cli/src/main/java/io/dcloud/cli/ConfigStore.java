package io.dcloud.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.dcloud.cli.common.CliException;
import io.dcloud.cli.common.ExitCodes;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The CLI's config file, {@code $XDG_CONFIG_HOME/dcloud/config.json} (else {@code ~/.config/...}).
 * It holds a bearer token, so only its owner may read it: the folder is made 700 and the file 600,
 * written whole to a private temporary file and moved over the old one.
 */
final class ConfigStore {
  static final Set<PosixFilePermission> DIRECTORY_MODE = PosixFilePermissions.fromString("rwx------");
  static final Set<PosixFilePermission> FILE_MODE = PosixFilePermissions.fromString("rw-------");
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Path file;

  ConfigStore(Path file) {
    this.file = file;
  }

  static ConfigStore fromEnvironment(Map<String, String> env) {
    String xdg = env.get("XDG_CONFIG_HOME");
    Path base;
    if (xdg != null && !xdg.isBlank()) {
      base = Path.of(xdg);
    } else {
      String home = env.get("HOME");
      base = Path.of(home != null && !home.isBlank() ? home : System.getProperty("user.home"), ".config");
    }
    return new ConfigStore(base.resolve("dcloud").resolve("config.json"));
  }

  Path file() {
    return file;
  }

  Optional<StoredLogin> read() {
    if (!Files.isRegularFile(file)) {
      return Optional.empty();
    }
    try {
      return Optional.of(JSON.readValue(file.toFile(), StoredLogin.class));
    } catch (IOException e) {
      throw new CliException(ExitCodes.ERROR, "cannot read " + file + ": " + e.getMessage(), e);
    }
  }

  void write(StoredLogin login) {
    try {
      Path directory = file.getParent();
      Files.createDirectories(directory);
      restrict(directory, DIRECTORY_MODE);
      Path temporary = directory.resolve(file.getFileName() + ".tmp");
      Files.deleteIfExists(temporary);
      createPrivate(temporary);
      Files.write(temporary, JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(login));
      Files.move(temporary, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new CliException(ExitCodes.ERROR, "cannot write " + file + ": " + e.getMessage(), e);
    }
  }

  private static void createPrivate(Path path) throws IOException {
    try {
      // Created with its mode, so the token is never readable by others, not even for a moment.
      Files.createFile(path, PosixFilePermissions.asFileAttribute(FILE_MODE));
    } catch (UnsupportedOperationException notPosix) {
      Files.createFile(path);
    }
  }

  private static void restrict(Path path, Set<PosixFilePermission> mode) throws IOException {
    try {
      Files.setPosixFilePermissions(path, mode);
    } catch (UnsupportedOperationException notPosix) {
      // Not a POSIX file system (Windows): its ACLs already keep a user's profile private.
    }
  }
}
