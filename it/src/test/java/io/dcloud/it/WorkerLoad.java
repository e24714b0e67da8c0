package io.dcloud.it;

import static io.dcloud.it.Envs.awaitStatus;
import static io.dcloud.it.Envs.create;
import static io.dcloud.it.Envs.tinySpec;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Which node runs the environments a test created: for the tests that kill a worker, which needs
 * some of them for its loss to show.
 */
final class WorkerLoad {
  private WorkerLoad() {}

  /**
   * Environments created through {@code via} and RUNNING (each within {@code within}): three (spread
   * puts them on three nodes), a few more only if none landed on one of {@code workers}.
   */
  static Map<String, JsonNode> runningEnvironments(Node via, List<Node> workers, String namePrefix, Duration within) {
    Map<String, JsonNode> running = new LinkedHashMap<>();
    while (running.size() < 3 || (running.size() < 6 && workers.stream().allMatch(w -> hosted(running, w) == 0))) {
      String id = create(via, tinySpec(namePrefix + running.size(), "0.5", ""));
      running.put(id, awaitStatus(via, id, "RUNNING", within));
    }
    return running;
  }

  /** The one of {@code workers} that runs most of {@code running} (the first of them on a tie). */
  static Node busiest(Map<String, JsonNode> running, List<Node> workers) {
    return workers.stream().max(Comparator.comparingLong((Node w) -> hosted(running, w))).orElseThrow();
  }

  /** How many of {@code running} (environments by id, as the API shows them) run on {@code node}. */
  static long hosted(Map<String, JsonNode> running, Node node) {
    return running.values().stream().filter(env -> node.id.equals(env.get("node").asText())).count();
  }
}
