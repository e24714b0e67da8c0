package io.dcloud.cli.common;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A local folder packed as a tar stream by the system's {@code tar}, in path order where that tar
 * can ({@code --sort=name}: GNU tar 1.28 and later), not in the order the folder lists its entries:
 * the same folder makes the same tar on any machine, and an inference job reads a dataset's files
 * (in path order) in one pass instead of copying them again.
 */
public final class FolderTar {
  private static final List<String> SORTED = List.of("--sort=name");
  private static volatile List<String> sortOption;

  private FolderTar() {}

  /** {@code tar} writing the folder's contents to its stdout; its stderr is this process's. */
  public static Process start(Path folder) throws IOException {
    List<String> command = new ArrayList<>(List.of("tar", "-C", folder.toString()));
    command.addAll(sortOption());
    command.addAll(List.of("-cf", "-", "."));
    return new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
  }

  /** {@code --sort=name} when this tar takes it (asked once: an empty archive of nothing). */
  static List<String> sortOption() {
    List<String> known = sortOption;
    if (known == null) {
      known = tarSorts() ? SORTED : List.of();
      sortOption = known;
    }
    return known;
  }

  private static boolean tarSorts() {
    try {
      Process probe = new ProcessBuilder("tar", "--sort=name", "-cf", "/dev/null", "--files-from", "/dev/null")
          .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
      return probe.waitFor(10, TimeUnit.SECONDS) && probe.exitValue() == 0;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }
}
