package io.dcloud.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.StreamSupport;

/**
 * Environments through the API of a {@link OneNodeDCloud}, as its end-to-end tests drive them:
 * created from a spec (202 with its location), awaited in a status as the entity answers it, and
 * deleted to free the node's place for the next test; always through the node running now, so a
 * test may restart it in between. And what the tests read in the API's answers: an environment's
 * history, and how many of those listed hold a place on their node.
 */
final class Environments {
  private final OneNodeDCloud dcloud;

  Environments(OneNodeDCloud dcloud) {
    this.dcloud = dcloud;
  }

  /** The statuses of the environment's history, oldest first. */
  static List<String> historyStatuses(JsonNode environment) {
    List<String> statuses = new ArrayList<>();
    environment.get("history").forEach(step -> statuses.add(step.get("status").asText()));
    return statuses;
  }

  /** How many of the environments listed hold a place on their node: placed, and not yet stopped. */
  static long holdingAPlace(JsonNode environments) {
    return StreamSupport.stream(environments.spliterator(), false)
        .filter(e -> Set.of("PLACED", "PREPARING", "BUILDING", "STARTING", "RUNNING", "STOPPING")
            .contains(e.path("status").asText()))
        .count();
  }

  /** Creates the environment spec describes; answers its id. */
  String create(String spec) {
    Api.Response created = dcloud.api().post("/api/v1/environments", spec);
    assertThat(created.status()).as(created.body()).isEqualTo(202);
    String id = created.json().get("id").asText();
    assertThat(created.raw().headers().firstValue("location")).hasValue("/api/v1/environments/" + id);
    return id;
  }

  /** Creates the environment spec describes and waits until it runs; answers its id. */
  String createRunning(String spec) {
    String id = create(spec);
    awaitStatus(id, "RUNNING", OneNodeDCloud.UP_WITHIN);
    return id;
  }

  /** Waits until the environment is in status, answered by its entity; answers it then. */
  JsonNode awaitStatus(String id, String status, Duration within) {
    JsonNode[] last = new JsonNode[1];
    await().atMost(within).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
      last[0] = dcloud.api().get("/api/v1/environments/" + id).json();
      assertThat(last[0].get("status").asText()).as(last[0].toString()).isEqualTo(status);
      // The tests read the history: only the entity's answer has all of it (see Api.freshEnvironment).
      assertThat(last[0].path("stale").asBoolean(false)).as("answered from the read side").isFalse();
    });
    return last[0];
  }

  /** Stopped and failed environments keep their place until deleted: frees it for the next test. */
  void deleteAndAwait(String id) {
    assertThat(dcloud.api().delete("/api/v1/environments/" + id).status()).isEqualTo(202);
    awaitStatus(id, "DELETED", OneNodeDCloud.UP_WITHIN);
  }
}
