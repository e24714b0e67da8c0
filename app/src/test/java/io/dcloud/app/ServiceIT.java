package io.dcloud.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * A service end to end, as DCloudIT runs DCloud (embedded Cassandra, the real Docker Engine, one
 * node with every role): two busybox httpd replicas become RUNNING and ready (the node probed "/"
 * on their published port), scaling to one deletes the newer, deleting the service deletes the other;
 * a service that autoscales starts from none for its first call and follows the calls in progress.
 */
@Tag("docker") @Tag("cassandra")
class ServiceIT {
  private static final Duration UP_WITHIN = Duration.ofSeconds(90);

  private static OneNodeDCloud dcloud;
  private static Api api;

  @BeforeAll
  static void startDCloud() throws Exception {
    // Autoscaling that reacts within seconds: a short look-back, frequent load reports; a call waiting
    // for a service's first replica may wait 12 s (request-timeout less attempt-timeout) on a busy machine.
    dcloud = OneNodeDCloud.start("service-it-node", Map.of("dcloud.services.autoscaling.look-back", "3s",
        "dcloud.services.routing.load-report-interval", "500ms", "dcloud.services.routing.attempt-timeout", "3s"));
    api = dcloud.api();
  }

  @AfterAll
  static void stopDCloud() {
    if (dcloud != null) {
      dcloud.close();
    }
  }

  private static String status(String environmentId) {
    return api.get("/api/v1/environments/" + environmentId).json().path("status").asText();
  }

  @Test
  void keepsTwoReadyReplicasScalesToOneStartsOneStoppedByHandAndDeletesThem() {
    Api.Response created = api.post("/api/v1/services", BusyboxWebService.config("web", 2, "ok").toString());
    assertThat(created.status()).as(created.body()).isEqualTo(201);

    List<String> ids = new ArrayList<>();
    await().atMost(UP_WITHIN).untilAsserted(() -> {
      JsonNode shown = api.get("/api/v1/services/web").json();
      assertThat(shown.path("replicas")).as(shown.toString()).hasSize(2)
          .allSatisfy(replica -> {
            assertThat(replica.path("status").asText()).isEqualTo("RUNNING");
            assertThat(replica.path("ready").asBoolean()).isTrue();
            assertThat(replica.path("node").asText()).isEqualTo("service-it-node");
          });
      ids.clear();
      shown.path("replicas").forEach(replica -> ids.add(replica.path("id").asText()));
    });
    JsonNode replica = api.get("/api/v1/environments/" + ids.get(1)).json();
    assertThat(replica.path("service").asText()).isEqualTo("web");
    assertThat(replica.path("ready").asBoolean()).isTrue();

    Api.Response scaled = api.patch("/api/v1/services/web", "{\"replicas\": 1}");
    assertThat(scaled.status()).as(scaled.body()).isEqualTo(200);
    assertThat(scaled.json().path("replicas")).extracting(r -> r.path("id").asText()).containsExactly(ids.get(0));
    await().atMost(UP_WITHIN).untilAsserted(() -> assertThat(status(ids.get(1))).isEqualTo("DELETED"));
    assertThat(status(ids.get(0))).isEqualTo("RUNNING");

    // Its owner stops the replica by hand: the service starts it again, under the same id.
    assertThat(api.post("/api/v1/environments/" + ids.get(0) + "/stop", "{}").status()).isEqualTo(202);
    await().atMost(UP_WITHIN).untilAsserted(() -> assertThat(api.freshEnvironment(ids.get(0)).path("history").toString())
        .contains("STOPPED"));
    await().atMost(UP_WITHIN).untilAsserted(() -> {
      JsonNode shown = api.get("/api/v1/services/web").json();
      assertThat(shown.path("replicas")).singleElement().satisfies(kept -> {
        assertThat(kept.path("id").asText()).isEqualTo(ids.get(0));
        assertThat(kept.path("status").asText()).isEqualTo("RUNNING");
        assertThat(kept.path("ready").asBoolean()).isTrue();
      });
    });

    assertThat(api.delete("/api/v1/services/web").status()).isEqualTo(202);
    assertThat(api.get("/api/v1/services/web").status()).isEqualTo(404);
    await().atMost(UP_WITHIN).untilAsserted(() -> assertThat(status(ids.get(0))).isEqualTo("DELETED"));
  }

  /**
   * Autoscaling on real replicas, from zero: the service has none until the first call, which waits
   * while its first replica starts and is answered by it; calls kept in progress through the gateway
   * (four at a time, each taking a second on its replica) add the second replica the load asks for
   * (one call each), which becomes ready and takes calls; once the calls stop, the service goes back
   * to none after the downscale delay.
   */
  @Test
  void anAutoscaledServiceStartsForItsFirstCallFollowsItsLoadAndGoesBackToZero() throws Exception {
    ObjectNode definition = BusyboxWebService.withSlowPage("busy", 1, 1);
    definition.remove("replicas");
    definition.putObject("autoscaling").put("min-replicas", 0).put("max-replicas", 2).put("target-ongoing-requests", 1)
        .put("upscale-delay", "0s").put("downscale-delay", "2s");
    Api.Response created = api.post("/api/v1/services", definition.toString());
    assertThat(created.status()).as(created.body()).isEqualTo(201);
    assertThat(created.json().path("replicas")).as("none until it is called").isEmpty();

    Api.Response first = api.get("/api/v1/services/busy/call/cgi-bin/slow");
    assertThat(first.status() + " " + first.body().strip()).as("answered by the replica it started").isEqualTo("200 slow");

    AtomicBoolean calling = new AtomicBoolean(true);
    Set<String> answered = ConcurrentHashMap.newKeySet();
    ExecutorService callers = Executors.newFixedThreadPool(4);
    try {
      for (int i = 0; i < 4; i++) {
        callers.submit(() -> {
          while (calling.get()) {
            Api.Response slow = api.get("/api/v1/services/busy/call/cgi-bin/slow");
            answered.add(slow.status() + " " + slow.body().strip());
          }
          return null;
        });
      }
      await().atMost(UP_WITHIN).untilAsserted(() -> {
        JsonNode shown = api.get("/api/v1/services/busy").json();
        assertThat(shown.path("desiredReplicas").asInt()).as(shown.toString()).isEqualTo(2);
        assertThat(shown.path("load").path("ongoingRequests").asDouble()).isGreaterThan(1);
        assertThat(shown.path("load").path("wantedReplicas").asInt()).isEqualTo(2);
        assertThat(shown.path("replicas").findValuesAsText("ready")).containsExactly("true", "true");
      });
    } finally {
      calling.set(false);
      callers.shutdown();
      assertThat(callers.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
    }
    assertThat(answered).as("every call answered by a replica").containsExactly("200 slow");

    await().atMost(UP_WITHIN).untilAsserted(() -> {
      JsonNode shown = api.get("/api/v1/services/busy").json();
      assertThat(shown.path("desiredReplicas").asInt()).as(shown.toString()).isZero();
      assertThat(shown.path("replicas")).isEmpty();
    });
    String metrics = dcloud.managementApi().get("/metrics").body();
    assertThat(metrics).containsPattern("dcloud_service_autoscaling_scalings_total\\{direction=\"up\",service=\"busy\"} [1-9]")
        .containsPattern("dcloud_service_autoscaling_scalings_total\\{direction=\"down\",service=\"busy\"} [1-9]");
    assertThat(api.delete("/api/v1/services/busy").status()).isEqualTo(202);
  }

  /** {@code spread: required} on one node: one replica runs there, the other waits, saying why, though there is room. */
  @Test
  void aServiceThatRequiresSpreadingRunsOneReplicaANodeAndTheRestWaitSayingWhy() {
    Api.Response created = api.post("/api/v1/services",
        BusyboxWebService.config("apart", 2, "ok").put("spread", "required").toString());
    assertThat(created.status()).as(created.body()).isEqualTo(201);

    await().atMost(UP_WITHIN).untilAsserted(() -> {
      JsonNode shown = api.get("/api/v1/services/apart").json();
      assertThat(shown.path("spread").asText()).isEqualTo("required");
      assertThat(shown.path("replicas").findValuesAsText("status")).as(shown.toString())
          .containsExactlyInAnyOrder("RUNNING", "QUEUED");
      assertThat(shown.path("replicas").findValuesAsText("reason"))
          .anySatisfy(reason -> assertThat(reason).contains("runs a replica of its service already (spread: required)"));
    });
    assertThat(api.delete("/api/v1/services/apart").status()).isEqualTo(202);
  }
}
