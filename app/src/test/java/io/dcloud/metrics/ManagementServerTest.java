package io.dcloud.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Metrics;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The management port on a cluster node that has not joined yet, then has: /ready flips, /metrics parses. */
class ManagementServerTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration WITHIN = Duration.ofSeconds(30);
  private final HttpClient http = HttpClient.newHttpClient();
  private ActorTestKit testKit;
  private NodeMetrics metrics;
  private final CompletableFuture<String> gateway = new CompletableFuture<>();
  private String base;

  @BeforeEach
  void start() throws Exception {
    Config config = ConfigFactory.parseString("""
            pekko.actor.provider = cluster
            pekko.remote.artery.canonical.hostname = "127.0.0.1"
            pekko.remote.artery.canonical.port = 0
            pekko.cluster.jmx.multi-mbeans-in-same-jvm = on
            dcloud.management.port = 0
            """).withFallback(ConfigFactory.load());
    testKit = ActorTestKit.create("management", config);
    metrics = NodeMetrics.start();
    var binding = ManagementServer.start(testKit.system(), ManagementSettings.fromConfig(config), metrics,
        new Readiness(gateway, false)).toCompletableFuture().get(WITHIN.toSeconds(), java.util.concurrent.TimeUnit.SECONDS);
    base = "http://127.0.0.1:" + binding.localAddress().getPort();
  }

  @AfterEach
  void stop() {
    testKit.shutdownTestKit();
    metrics.close();
  }

  @Test
  void readyOnlyOnceAnUpMemberWithItsGatewayBound() throws Exception {
    HttpResponse<String> alive = get("/alive");
    assertThat(alive.statusCode()).isEqualTo(200);
    assertThat(JSON.readTree(alive.body()).get("status").asText()).isEqualTo("ALIVE");

    HttpResponse<String> notReady = get("/ready");
    assertThat(notReady.statusCode()).isEqualTo(503);
    JsonNode checks = JSON.readTree(notReady.body()).get("checks");
    assertThat(checks.get("cluster").asText()).isNotEqualTo("ok");
    assertThat(checks.get("gateway").asText()).isEqualTo("not bound yet");

    Cluster cluster = Cluster.get(testKit.system());
    cluster.manager().tell(Join.create(cluster.selfMember().address()));
    await().atMost(WITHIN).untilAsserted(() ->
        assertThat(JSON.readTree(get("/ready").body()).get("checks").get("cluster").asText()).isEqualTo("ok"));
    assertThat(get("/ready").statusCode()).as("the gateway is not bound yet").isEqualTo(503);

    gateway.complete("bound");
    HttpResponse<String> ready = get("/ready");
    assertThat(ready.statusCode()).as(ready.body()).isEqualTo(200);
    assertThat(JSON.readTree(ready.body()).get("status").asText()).isEqualTo("READY");
  }

  @Test
  void metricsAreWhatPrometheusParses() throws Exception {
    // What cluster-core counts goes to the global registry, which this node's registry joined.
    Counter.builder("dcloud.test.events").description("a counter of this test").tag("kind", "test")
        .register(Metrics.globalRegistry).increment();
    HttpResponse<String> scraped = get("/metrics");
    assertThat(scraped.statusCode()).isEqualTo(200);
    assertThat(scraped.headers().firstValue("content-type")).hasValueSatisfying(type -> assertThat(type).startsWith("text/plain"));
    assertThat(scraped.body())
        .contains("dcloud_test_events_total{kind=\"test\"} 1.0")
        .contains("jvm_memory_used_bytes{")
        .contains("process_uptime_seconds");
    Promtool.Result checked = Promtool.checkMetrics(scraped.body());
    assertThat(checked.parsed()).as(checked.output()).isTrue();
    assertThat(checked.problemsOf("dcloud_")).isEmpty();
  }

  private HttpResponse<String> get(String path) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create(base + path)).build(), HttpResponse.BodyHandlers.ofString());
  }
}
