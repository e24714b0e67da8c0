package io.dcloud.deploy;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Host-side helpers of the base-image bootstrap: finding programs, running them, cleaning up. */
final class HostTools {

  private static final Logger log = LoggerFactory.getLogger(HostTools.class);

  /** Where Debian puts administration programs; often missing from a service's PATH. */
  private static final List<String> SBIN_DIRS = List.of("/usr/local/sbin", "/usr/sbin", "/sbin");
  private static final Path MOUNTS = Path.of("/proc/self/mounts");
  private static final Path SELF = Path.of("/proc/self");

  private HostTools() {}

  /** A program by path, or by name in PATH and the sbin directories. */
  static Optional<Path> findProgram(String command) {
    if (command.contains("/")) {
      Path path = Path.of(command);
      return Files.isExecutable(path) ? Optional.of(path) : Optional.empty();
    }
    String pathVariable = System.getenv().getOrDefault("PATH", "");
    return Stream.concat(Stream.of(pathVariable.split(java.io.File.pathSeparator)), SBIN_DIRS.stream())
        .filter(dir -> !dir.isBlank())
        .map(dir -> Path.of(dir, command))
        .filter(Files::isExecutable)
        .findFirst();
  }

  /** The uid of this JVM (debootstrap must run as root), or -1 when unknown. */
  static int currentUid() {
    try {
      return (Integer) Files.getAttribute(SELF, "unix:uid");
    } catch (IOException | UnsupportedOperationException | ClassCastException e) {
      return -1;
    }
  }

  /** Outcome of a finished program: exit code and its last output lines. */
  record Outcome(int exitCode, List<String> lastLines) {}

  /**
   * Runs a program with stdout and stderr merged, every line going to {@code output}; kills the
   * program and its children when {@code timeoutMillis} pass (returns null then).
   */
  static Outcome run(List<String> command, long timeoutMillis, int keepLines, Consumer<String> output)
      throws IOException, InterruptedException {
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    LastLines last = new LastLines(keepLines);
    Thread reader = new Thread(() -> pump(process, line -> {
      last.add(line);
      output.accept(line);
    }), "dcloud-" + Path.of(command.get(0)).getFileName() + "-output");
    reader.setDaemon(true);
    reader.start();
    if (!process.waitFor(timeoutMillis, TimeUnit.MILLISECONDS)) {
      kill(process);
      return null;
    }
    reader.join(TimeUnit.SECONDS.toMillis(1));
    return new Outcome(process.exitValue(), last.lines());
  }

  private static void pump(Process process, Consumer<String> line) {
    try (BufferedReader reader =
        new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
      for (String l = reader.readLine(); l != null; l = reader.readLine()) {
        try {
          line.accept(l);
        } catch (RuntimeException e) {
          log.warn("a progress listener failed on '{}'", l, e);
        }
      }
    } catch (IOException e) {
      log.debug("reading program output ended", e);
    }
  }

  static void kill(Process process) {
    process.descendants().forEach(ProcessHandle::destroyForcibly);
    process.destroyForcibly();
  }

  /**
   * Unmounts whatever is still mounted under {@code dir} (debootstrap mounts /proc and /sys in the
   * target and leaves them when it is killed), deepest first.
   */
  static void unmountUnder(Path dir) {
    List<String> mountPoints = mountPointsUnder(dir);
    mountPoints.sort(Comparator.comparingInt(String::length).reversed());
    for (String mountPoint : mountPoints) {
      try {
        Process umount = new ProcessBuilder("umount", "-l", mountPoint).redirectErrorStream(true).start();
        umount.getInputStream().transferTo(java.io.OutputStream.nullOutputStream());
        umount.waitFor();
        log.info("unmounted {} left behind by the bootstrap", mountPoint);
      } catch (IOException e) {
        log.warn("could not unmount {}: {}", mountPoint, e.getMessage());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  private static List<String> mountPointsUnder(Path dir) {
    String prefix = dir.toAbsolutePath().normalize() + "/";
    List<String> found = new ArrayList<>();
    try (Stream<String> lines = Files.lines(MOUNTS)) {
      lines.map(line -> line.split(" "))
          .filter(fields -> fields.length > 1)
          .map(fields -> fields[1].replace("\\040", " "))
          .filter(point -> point.startsWith(prefix))
          .forEach(found::add);
    } catch (IOException | RuntimeException e) {
      log.debug("cannot read {}", MOUNTS, e);
    }
    return found;
  }

  /**
   * Deletes a tree without following links and without crossing into another file system: if
   * something is still mounted inside (a host /dev or /proc), it is left alone rather than emptied.
   */
  static void deleteTree(Path root) {
    if (!Files.exists(root, LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    try {
      Object rootDevice = Files.getAttribute(root, "unix:dev", LinkOption.NOFOLLOW_LINKS);
      Files.walkFileTree(root, new SimpleFileVisitor<>() {
        @Override
        public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
          if (!rootDevice.equals(Files.getAttribute(dir, "unix:dev", LinkOption.NOFOLLOW_LINKS))) {
            log.warn("not deleting {}: another file system is mounted there", dir);
            return FileVisitResult.SKIP_SUBTREE;
          }
          return FileVisitResult.CONTINUE;
        }

        @Override
        public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
          Files.deleteIfExists(file);
          return FileVisitResult.CONTINUE;
        }

        @Override
        public FileVisitResult visitFileFailed(Path file, IOException e) {
          log.warn("cannot delete {}: {}", file, e.getMessage());
          return FileVisitResult.CONTINUE;
        }

        @Override
        public FileVisitResult postVisitDirectory(Path dir, IOException e) {
          try {
            Files.deleteIfExists(dir);
          } catch (IOException notEmpty) {
            log.warn("cannot delete {}: {}", dir, notEmpty.getMessage());
          }
          return FileVisitResult.CONTINUE;
        }
      });
    } catch (IOException e) {
      log.warn("cleaning up {} failed: {}", root, e.getMessage());
    }
  }
}
