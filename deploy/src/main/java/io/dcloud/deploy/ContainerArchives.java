package io.dcloud.deploy;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.exception.NotFoundException;
import java.io.InputStream;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;

/**
 * Files into and out of a container as tar streams (the engine's archive API), streamed both ways:
 * nothing is held in memory. What lands in the container is owned by whoever the tar's headers
 * name (the engine's {@code copyUIDGID} would need the user in the image's passwd file).
 */
final class ContainerArchives {
  private ContainerArchives() {}

  /** False when {@code directory} does not exist in the container. */
  static boolean put(DockerClient client, DaemonCalls calls, Duration timeout, String containerId, String directory,
      InputStream archive) {
    String what = "copying files into " + directory + " of container " + DockerRuntime.shortId(containerId);
    return calls.call(what, timeout, () -> {
      try {
        client.copyArchiveToContainerCmd(containerId)
            .withRemotePath(directory)
            .withTarInputStream(archive)
            .exec();
        return true;
      } catch (NotFoundException missing) {
        if (containerGone(missing)) {
          throw missing;
        }
        return false;
      }
    });
  }

  /** A tar whose root is the last element of {@code path}; empty when there is no such path. The caller closes it. */
  static Optional<InputStream> get(DockerClient client, DaemonCalls calls, Duration callTimeout, String containerId,
      String path) {
    String what = "copying " + path + " out of container " + DockerRuntime.shortId(containerId);
    return calls.call(what, callTimeout, () -> {
      try {
        return Optional.of(client.copyArchiveFromContainerCmd(containerId, path).exec());
      } catch (NotFoundException missing) {
        if (containerGone(missing)) {
          throw missing;
        }
        return Optional.empty();
      }
    });
  }

  /** The engine's 404 means either the path or the container: only a missing path is an answer. */
  private static boolean containerGone(NotFoundException missing) {
    return DaemonCalls.engineMessage(missing).toLowerCase(Locale.ROOT).contains("no such container");
  }
}
