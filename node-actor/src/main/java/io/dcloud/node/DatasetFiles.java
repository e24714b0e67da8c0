package io.dcloud.node;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Comparator;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The file work of the dataset cache: cached versions are read-only, so removing one takes its directories back first. */
final class DatasetFiles {
  private static final Logger LOG = LoggerFactory.getLogger(DatasetFiles.class);

  private DatasetFiles() {}

  /** Files r--r--r--, directories r-xr-xr-x: no one on the node alters a cached version, and containers may read it. */
  static void readOnly(Path data) throws IOException {
    try (Stream<Path> paths = Files.walk(data)) {
      for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.setPosixFilePermissions(path, PosixFilePermissions.fromString(
            Files.isDirectory(path) ? "r-xr-xr-x" : "r--r--r--"));
      }
    }
  }

  /** Removes {@code path} and all under it, read-only or not; what cannot go is logged, not thrown. */
  static void delete(Path path) {
    try {
      // Writable directories first (top down), then the deletes (bottom up): a read-only directory keeps its entries.
      try (Stream<Path> paths = Files.walk(path)) {
        for (Path directory : paths.filter(Files::isDirectory).toList()) {
          Files.setPosixFilePermissions(directory, PosixFilePermissions.fromString("rwx------"));
        }
      }
      try (Stream<Path> paths = Files.walk(path)) {
        for (Path each : paths.sorted(Comparator.reverseOrder()).toList()) {
          Files.deleteIfExists(each);
        }
      }
    } catch (IOException | UncheckedIOException e) {
      LOG.warn("Could not remove {} from the dataset cache: {}", path, e.toString());
    }
  }

  /** Bytes of the regular files under {@code path}. */
  static long size(Path path) {
    try (Stream<Path> paths = Files.walk(path)) {
      return paths.filter(Files::isRegularFile).mapToLong(file -> {
        try {
          return Files.size(file);
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      }).sum();
    } catch (IOException e) {
      throw new UncheckedIOException("could not size " + path, e);
    }
  }
}
