package io.dcloud.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The docker CLI, for tests to look at what the nodes did. All nodes of a test cluster share this
 * machine's one engine: the {@code dcloud.node} label says which node a container belongs to.
 */
final class Docker {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final long CALL_TIMEOUT_SECONDS = 60;

  private Docker() {}

  static String run(String... args) {
    List<String> command = new ArrayList<>();
    command.add("docker");
    command.addAll(List.of(args));
    try {
      Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
      byte[] out = process.getInputStream().readAllBytes();
      if (!process.waitFor(CALL_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        throw new IllegalStateException(String.join(" ", command) + " timed out");
      }
      String output = new String(out, StandardCharsets.UTF_8).trim();
      if (process.exitValue() != 0) {
        throw new IllegalStateException(String.join(" ", command) + " failed: " + output);
      }
      return output;
    } catch (IOException e) {
      throw new IllegalStateException("cannot run docker", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  static JsonNode inspect(String object) {
    try {
      return JSON.readTree(run("inspect", object)).get(0);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Ids (short) of every container, running or not, with this label ({@code key=value}). */
  static List<String> containersLabelled(String label) {
    String ids = run("ps", "-aq", "--no-trunc", "--filter", "label=" + label);
    return ids.isBlank() ? List.of() : List.of(ids.split("\\s+"));
  }

  /** Full ids of the running containers with this label ({@code key=value}). */
  static List<String> runningLabelled(String label) {
    String ids = run("ps", "-q", "--no-trunc", "--filter", "label=" + label);
    return ids.isBlank() ? List.of() : List.of(ids.split("\\s+"));
  }

  /** The {@code dcloud.node} label of a container. */
  static String nodeOf(String containerId) {
    return run("inspect", "--format", "{{index .Config.Labels \"dcloud.node\"}}", containerId);
  }

  static void removeLabelled(String label) {
    for (String id : containersLabelled(label)) {
      try {
        run("rm", "-f", id);
      } catch (IllegalStateException e) {
        // Gone meanwhile (a node removed it): fine.
      }
    }
  }
}
