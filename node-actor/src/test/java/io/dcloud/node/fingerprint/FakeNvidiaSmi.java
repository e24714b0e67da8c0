package io.dcloud.node.fingerprint;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/** Recorded {@code nvidia-smi} outputs (test resources) and shell scripts that stand in for the tool. */
public final class FakeNvidiaSmi {

  private FakeNvidiaSmi() {}

  /** The text of a recorded output under {@code /nvidia-smi/}. */
  public static String recorded(String name) {
    try {
      return Files.readString(resource(name));
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  /** The file of a recorded output under {@code /nvidia-smi/}. */
  public static Path resource(String name) {
    try {
      return Path.of(FakeNvidiaSmi.class.getResource("/nvidia-smi/" + name).toURI());
    } catch (URISyntaxException e) {
      throw new AssertionError(e);
    }
  }

  /** An executable POSIX shell script named nvidia-smi in {@code dir}, made of {@code lines}. */
  public static Path script(Path dir, String... lines) throws IOException {
    Path file = dir.resolve("nvidia-smi");
    Files.writeString(file, "#!/bin/sh\n" + String.join("\n", lines) + "\n");
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwx------"));
    return file;
  }
}
