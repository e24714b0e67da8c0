package io.dcloud.app;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** The docker CLI, for tests to look at what DCloud did (as an operator would with docker inspect). */
final class Docker {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final long CALL_TIMEOUT_SECONDS = 60;

  private Docker() {}

  static String run(String... args) {
    try {
      Process process = new ProcessBuilder(prepend(args)).redirectErrorStream(true).start();
      if (!process.waitFor(CALL_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        throw new IllegalStateException("docker " + String.join(" ", args) + " timed out");
      }
      String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
      if (process.exitValue() != 0) {
        throw new IllegalStateException("docker " + String.join(" ", args) + " failed: " + output);
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

  static boolean exists(String object) {
    try {
      run("inspect", object);
      return true;
    } catch (IllegalStateException e) {
      return false;
    }
  }

  /** Where the inspected container's mounts are, inside it. */
  static List<String> mountDestinations(JsonNode container) {
    List<String> destinations = new ArrayList<>();
    container.get("Mounts").forEach(mount -> destinations.add(mount.get("Destination").asText()));
    return destinations;
  }

  static List<String> containersLabelled(String label) {
    String ids = run("ps", "-aq", "--filter", "label=" + label);
    return ids.isBlank() ? List.of() : List.of(ids.split("\\s+"));
  }

  private static String[] prepend(String[] args) {
    String[] command = new String[args.length + 1];
    command[0] = "docker";
    System.arraycopy(args, 0, command, 1, args.length);
    return command;
  }
}
