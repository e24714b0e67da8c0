package io.dcloud.gateway.event;

import static org.assertj.core.api.Assertions.assertThat;

import io.dcloud.gateway.Api;
import io.dcloud.gateway.GatewayTestCluster;
import io.dcloud.gateway.Seeds;
import io.dcloud.gateway.SseReader;
import io.dcloud.resources.Resources;
import io.micrometer.core.instrument.Metrics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/** {@code GET /events}: who sees what, resuming with Last-Event-ID, and the reset when that cannot be. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class EventStreamApiTest {
  /** Node changes are polled (dcloud.http.events.node-poll-interval, 5 s): a few polls fit. */
  private static final Duration EVENT_WAIT = Duration.ofSeconds(20);
  private static final String EVENTS = "/api/v1/events";

  private GatewayTestCluster cluster;
  private Api admin;
  /** The global registry measures only into the registries added to it (the app adds its own). */
  private final SimpleMeterRegistry metrics = new SimpleMeterRegistry();

  @BeforeAll
  void start() throws Exception {
    Metrics.addRegistry(metrics);
    cluster = new GatewayTestCluster("EventStreamApiTest");
    admin = Api.admin(cluster.base);
    for (String[] user : List.of(new String[] {"ella", "data-scientist"}, new String[] {"olaf", "data-scientist"},
        new String[] {"cora", "platform-configurer"})) {
      admin.createUser(user[0], user[1]);
    }
  }

  @AfterAll
  void stop() {
    Metrics.removeRegistry(metrics);
    cluster.close();
  }

  private Api signedIn(String name) {
    return new Api(cluster.base).signedIn(name);
  }

  private static String create(Api api, String name) {
    Api.Answer created = api.post("/api/v1/environments", Api.JSON, Seeds.debianEnvironment(name));
    assertThat(created.status()).as(created.body()).isEqualTo(202);
    return created.json().path("id").asText();
  }

  private static boolean about(SseReader.Event event, String environmentId, String status) {
    var data = Api.parse(event.data());
    return event.type().equals("environment") && data.path("id").asText().equals(environmentId)
        && (status == null || data.path("status").asText().equals(status));
  }

  /** Events until one about {@code environmentId} in {@code status} (that one included). */
  private static List<SseReader.Event> readUntil(SseReader events, String environmentId, String status)
      throws InterruptedException {
    List<SseReader.Event> read = new ArrayList<>();
    events.until(event -> read.add(event) && about(event, environmentId, status), EVENT_WAIT);
    return read;
  }

  @Test
  void anOwnerSeesTheirEnvironmentsAndNotAnotherUsers() throws Exception {
    Api ella = signedIn("ella");
    Api olaf = signedIn("olaf");
    try (SseReader ellas = new SseReader(ella, EVENTS); SseReader all = new SseReader(admin, EVENTS)) {
      assertThat(ellas.status()).isEqualTo(200);
      assertThat(ellas.contentType()).startsWith("text/event-stream");
      String mine = create(ella, "ellas");
      SseReader.Event first = ellas.until(event -> about(event, mine, null), EVENT_WAIT);
      assertThat(Api.parse(first.data()).path("status").asText()).isIn("REQUESTED", "QUEUED");
      assertThat(Api.parse(first.data()).path("owner").asText()).isEqualTo("ella");
      assertThat(first.id()).isNotBlank();
      // Both streams are subscribed (one has had an event): the operators' gauge counts them.
      assertThat(Metrics.globalRegistry.get("dcloud.http.event.clients").gauge().value()).isGreaterThanOrEqualTo(2);

      String olafs = create(olaf, "olafs");
      // The admin sees everyone's: once olaf's is queued there, ella's stream has been offered it too.
      readUntil(all, olafs, "QUEUED");
      String later = create(ella, "ellas-later");
      List<SseReader.Event> seen = readUntil(ellas, later, "QUEUED");
      assertThat(seen).noneMatch(event -> about(event, olafs, null));
    }
  }

  @Test
  void aResumedStreamGetsExactlyTheEventsItMissed() throws Exception {
    Api ella = signedIn("ella");
    try (SseReader reference = new SseReader(ella, EVENTS)) {
      String before;
      String resumeAfter;
      // Both streams follow before the create, so both see its every event.
      try (SseReader interrupted = new SseReader(ella, EVENTS)) {
        before = create(ella, "before");
        resumeAfter = interrupted.until(event -> about(event, before, "QUEUED"), EVENT_WAIT).id();
      }
      readUntil(reference, before, "QUEUED");
      // Missed while disconnected: a stop, and another environment's whole start.
      assertThat(ella.postEmpty("/api/v1/environments/" + before + "/stop").status()).isEqualTo(202);
      String missed = create(ella, "missed");
      List<SseReader.Event> expected = readUntil(reference, missed, "QUEUED");

      try (SseReader resumed = new SseReader(ella, EVENTS, resumeAfter)) {
        List<SseReader.Event> got = readUntil(resumed, missed, "QUEUED");
        assertThat(got).isEqualTo(expected);
        assertThat(got).anyMatch(event -> about(event, before, "STOPPED"));
      }
    }
  }

  @Test
  void anIdThisGatewayCannotResumeFromGetsAResetFirst() throws Exception {
    Api ella = signedIn("ella");
    String known;
    try (SseReader events = new SseReader(ella, EVENTS)) {
      String id = create(ella, "for-an-id");
      known = events.until(event -> about(event, id, null), EVENT_WAIT).id();
    }
    String epoch = known.substring(0, known.lastIndexOf('.'));
    for (String unresumable : List.of("another-gateway.3", "garbage", epoch + ".999999999", epoch + ".x")) {
      try (SseReader events = new SseReader(ella, EVENTS, unresumable)) {
        SseReader.Event first = events.next(EVENT_WAIT);
        assertThat(first.type()).as(unresumable).isEqualTo("reset");
        assertThat(first.data()).isEqualTo("{}");
      }
    }
  }

  /** Last: its node, too small for anything, makes every later create unschedulable. */
  @Test
  @Order(Integer.MAX_VALUE)
  void nodeChangesReachConfigurersOnly() throws Exception {
    Api cora = signedIn("cora");
    Api ella = signedIn("ella");
    String marker = create(ella, "stopped-after-the-node");
    String nodeId = "events-node-" + UUID.randomUUID();
    try (SseReader coras = new SseReader(cora, EVENTS); SseReader ellas = new SseReader(ella, EVENTS)) {
      gossip(nodeId);
      pollUntilListed(nodeId);
      assertThat(cora.postEmpty("/api/v1/nodes/" + nodeId + "/cordon").status()).isEqualTo(200);
      SseReader.Event cordoned = coras.until(event -> event.type().equals("node")
          && Api.parse(event.data()).path("id").asText().equals(nodeId)
          && Api.parse(event.data()).path("state").asText().equals("CORDONED"), EVENT_WAIT);
      assertThat(Api.parse(cordoned.data()).path("host").asText()).isEqualTo("host-" + nodeId);

      // Published after the node's change: had ella been offered that, she would read it first.
      assertThat(ella.postEmpty("/api/v1/environments/" + marker + "/stop").status()).isEqualTo(202);
      assertThat(readUntil(ellas, marker, "STOPPED")).noneMatch(event -> event.type().equals("node"));
    }
  }

  /** A node with nothing to give, so no test's environment is placed on it. */
  private void gossip(String nodeId) {
    cluster.gossip(nodeId, new Resources(0, 0, 0, 0, null), Map.of());
  }

  private void pollUntilListed(String nodeId) throws InterruptedException {
    long deadline = System.nanoTime() + EVENT_WAIT.toNanos();
    while (!admin.get("/api/v1/nodes").body().contains(nodeId)) {
      assertThat(System.nanoTime()).as("node %s listed in time", nodeId).isLessThan(deadline);
      Thread.sleep(100);
    }
  }
}
