package io.dcloud.it;

import static io.dcloud.it.Envs.summary;
import static io.dcloud.it.Envs.tinySpec;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A burst of concurrent creates through all three nodes' APIs at once: the scheduler's reservations
 * never exceed any node's capacity (watched while the burst runs and after), every accepted
 * environment exists and is somewhere on its way to RUNNING (none lost), and once things settle no
 * node runs more than its cores hold. Far more is asked than fits: most wait QUEUED.
 */
@Tag("cluster")
class ConcurrentCreatesIT {
  private static final Logger LOG = LoggerFactory.getLogger(ConcurrentCreatesIT.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  /** How many creates; {@code -Ddcloud.it.creates=N} changes it. */
  private static final int CREATES = Integer.getInteger("dcloud.it.creates", 1000);
  private static final int IN_FLIGHT = 64;
  private static final double CPU = 0.5;
  private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(60);
  /** A start may take up to dcloud.deploy.start-timeout (2 min) on an engine busy with the burst. */
  private static final Duration SETTLED_WITHIN = Duration.ofMinutes(3);
  private static final Set<String> ON_ITS_WAY = Set.of("REQUESTED", "QUEUED", "PLACED", "BUILDING", "STARTING", "RUNNING");
  private static final Set<String> TRANSITIONAL = Set.of("REQUESTED", "PLACED", "BUILDING", "STARTING");
  private static final double EPSILON = 1e-6;
  private static final Duration LISTING_WITHIN = Duration.ofSeconds(60);

  private static ClusterHarness cluster;
  private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  @RegisterExtension
  static final NodeLogsOnFailure LOGS_ON_FAILURE = new NodeLogsOnFailure(() -> cluster);

  @BeforeAll
  static void useTheSharedCluster() throws Exception {
    cluster = ClusterHarness.shared();
  }


  @Test
  void concurrentCreatesNeverOvercommitAndNoneIsLost() throws Exception {
    List<Node> nodes = cluster.nodes();
    Map<String, Double> capacityCpus = new HashMap<>();
    for (JsonNode node : cluster.node(1).api.nodes()) {
      capacityCpus.put(node.get("id").asText(), node.get("capacity").get("cpus").asDouble());
    }
    LOG.info("Capacity (cores) per node: {}", capacityCpus);

    // Watch the reservations while the burst runs: every 500 ms, through each node in turn.
    List<String> overcommits = Collections.synchronizedList(new ArrayList<>());
    AtomicInteger reservationChecks = new AtomicInteger();
    ScheduledExecutorService watcher = Executors.newSingleThreadScheduledExecutor();
    watcher.scheduleWithFixedDelay(() -> {
      Node asked = nodes.get(reservationChecks.get() % nodes.size());
      try {
        overcommits.addAll(overcommitted(asked));
        reservationChecks.incrementAndGet();
      } catch (RuntimeException | AssertionError busy) {
        LOG.info("GET /nodes via {} while creating: {}", asked.name, busy.toString());
      }
    }, 0, 500, TimeUnit.MILLISECONDS);

    List<String> accepted = Collections.synchronizedList(new ArrayList<>());
    List<String> unavailable = Collections.synchronizedList(new ArrayList<>());
    // The gateways' admission limit follows how fast creates are placed: a burst on a busy machine may be refused.
    List<String> refused = Collections.synchronizedList(new ArrayList<>());
    List<String> failures = Collections.synchronizedList(new ArrayList<>());
    Instant began = Instant.now();
    try {
      Semaphore inFlight = new Semaphore(IN_FLIGHT);
      List<CompletableFuture<Void>> requests = new ArrayList<>();
      for (int i = 0; i < CREATES; i++) {
        Node via = nodes.get(i % nodes.size());
        String name = "burst-" + i;
        HttpRequest request = via.api.request("/api/v1/environments")
            .timeout(REQUEST_TIMEOUT)
            .header("content-type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(tinySpec(name, String.valueOf(CPU), "")))
            .build();
        inFlight.acquire();
        requests.add(client.sendAsync(request, HttpResponse.BodyHandlers.ofString())
            .handle((response, error) -> {
              inFlight.release();
              if (error != null) {
                failures.add(name + " via " + via.name + ": " + error);
              } else if (response.statusCode() == 202) {
                try {
                  accepted.add(JSON.readTree(response.body()).get("id").asText());
                } catch (IOException | RuntimeException e) {
                  failures.add(name + ": 202 without an id: " + response.body());
                }
              } else if (response.statusCode() == 503
                  && response.headers().firstValue("content-type").orElse("").equals("application/problem+json")) {
                unavailable.add(name + " via " + via.name + ": " + response.body());
              } else if (response.statusCode() == 429 && response.headers().firstValue("retry-after").isPresent()
                  && response.body().contains("too-many-creates")) {
                refused.add(name + " via " + via.name);
              } else {
                failures.add(name + " via " + via.name + ": " + response.statusCode() + " "
                    + response.headers().firstValue("content-type").orElse("") + " " + response.body());
              }
              return null;
            }));
      }
      CompletableFuture.allOf(requests.toArray(CompletableFuture[]::new)).get(5, TimeUnit.MINUTES);
    } finally {
      Duration burst = Duration.between(began, Instant.now());
      LOG.info("{} creates through {} nodes in {}: {} accepted, {} 503, {} refused (429), {} failed; first 503s: {}; first failures: {}",
          CREATES, nodes.size(), burst, accepted.size(), unavailable.size(), refused.size(), failures.size(),
          unavailable.stream().limit(3).toList(), failures.stream().limit(5).toList());
    }
    assertThat(failures).as("neither 202, 503 problem+json nor 429 too-many-creates with Retry-After").isEmpty();
    assertThat(accepted).as("202s").isNotEmpty().doesNotHaveDuplicates();
    assertThat(accepted.size() + unavailable.size() + refused.size()).isEqualTo(CREATES);

    // None lost: every accepted id is known to (here: a different node than the one that took it) and on its way.
    Map<String, String> statusById = statuses(accepted, nodes, 1);
    Map<String, Long> counts = countBy(statusById);
    LOG.info("Right after the burst: {}", counts);
    statusById.forEach((id, status) -> assertThat(status).as("status of %s", id).isIn(ON_ITS_WAY));

    // Settled: nothing between states; RUNNING ones fit their node's cores, and Docker agrees.
    Map<String, JsonNode>[] settled = new Map[1];
    Milestones milestones = new Milestones(began)
        .add("no environment REQUESTED, PLACED, BUILDING or STARTING", () -> {
          Map<String, JsonNode> views = views(accepted, nodes, 2);
          for (JsonNode env : views.values()) {
            assertThat(env.get("status").asText()).as(summary(env)).isNotIn(TRANSITIONAL).isIn(ON_ITS_WAY);
          }
          settled[0] = views;
        });
    Map<String, Duration> met = milestones.awaitAll(SETTLED_WITHIN);

    // The read side (GET /environments) lists every accepted environment: live events, plus the
    // directory's periodic re-read of the journal for whatever the topic dropped.
    Set<String> listedNames = Collections.synchronizedSet(new HashSet<>());
    Milestones listing = new Milestones(began);
    for (Node asked : nodes) {
      listing.add("GET /environments via " + asked.name + " lists every accepted one", () -> {
        Set<String> listed = new HashSet<>();
        for (JsonNode env : asked.api.get("/api/v1/environments").json().get("environments")) {
          listed.add(env.get("id").asText());
          listedNames.add(env.get("name").asText());
        }
        Set<String> missing = new HashSet<>(accepted);
        missing.removeAll(listed);
        assertThat(missing).as("accepted but not listed by %s (%s listed)", asked.name, listed.size()).isEmpty();
      });
    }
    LOG.info("Listings complete after {}", listing.awaitAll(LISTING_WITHIN));
    // A 503 means "the cluster did not answer in time", not "refused": the create may have happened anyway.
    List<String> createdDespite503 = unavailable.stream().map(line -> line.substring(0, line.indexOf(' ')))
        .filter(listedNames::contains).toList();
    LOG.info("{} of the {} creates answered 503 are listed anyway (the client never learnt their id): {}",
        createdDespite503.size(), unavailable.size(), createdDespite503.stream().limit(10).toList());
    overcommits.addAll(overcommitted(cluster.node(3)));
    watcher.shutdownNow();

    Map<String, Integer> runningPerNode = new HashMap<>();
    for (JsonNode env : settled[0].values()) {
      if (env.get("status").asText().equals("RUNNING")) {
        runningPerNode.merge(env.get("node").asText(), 1, Integer::sum);
      }
    }
    LOG.info("Settled after {}: {}; RUNNING per node {}; {} reservation checks while and after, overcommits: {}",
        met, countBy(settled[0].values().stream().collect(
            HashMap<String, String>::new, (m, e) -> m.put(e.get("id").asText(), e.get("status").asText()), Map::putAll)),
        runningPerNode, reservationChecks.get(), overcommits);
    assertThat(reservationChecks.get()).as("reservations checked while creating").isPositive();
    assertThat(overcommits).as("reserved > capacity seen").isEmpty();
    assertThat(runningPerNode).as("something runs").isNotEmpty();
    runningPerNode.forEach((node, running) -> {
      assertThat(capacityCpus).containsKey(node);
      assertThat(running * CPU).as("RUNNING environments x %s cores on %s", CPU, node)
          .isLessThanOrEqualTo(capacityCpus.get(node) + EPSILON);
    });
    for (Node node : nodes) {
      int containers = Docker.run("ps", "-q", "--filter", "label=dcloud.node=" + node.id).lines()
          .filter(line -> !line.isBlank()).toList().size();
      assertThat(containers * CPU).as("running containers of %s x %s cores", node.name, CPU)
          .isLessThanOrEqualTo(capacityCpus.get(node.id) + EPSILON);
    }
  }

  /** Each node whose reservation exceeds its capacity, as {@code asked}'s /nodes shows it. */
  private static List<String> overcommitted(Node asked) {
    List<String> over = new ArrayList<>();
    for (JsonNode node : asked.api.nodes()) {
      JsonNode capacity = node.get("capacity");
      JsonNode reserved = node.get("reserved");
      if (reserved.get("cpus").asDouble() > capacity.get("cpus").asDouble() + EPSILON
          || reserved.get("memoryBytes").asLong() > capacity.get("memoryBytes").asLong()) {
        over.add(Instant.now() + " via " + asked.name + ": " + node);
      }
    }
    return over;
  }

  /** The statuses of {@code ids}, each asked of a node other than the one that took its create. */
  private Map<String, String> statuses(List<String> ids, List<Node> nodes, int shift) throws Exception {
    Map<String, String> statuses = new HashMap<>();
    views(ids, nodes, shift).forEach((id, env) -> statuses.put(id, env.get("status").asText()));
    return statuses;
  }

  /** GET every id, {@link #IN_FLIGHT} at a time, spread over the nodes; any answer but 200 fails. */
  private Map<String, JsonNode> views(List<String> ids, List<Node> nodes, int shift) throws Exception {
    Map<String, JsonNode> views = Collections.synchronizedMap(new HashMap<>());
    List<String> problems = Collections.synchronizedList(new ArrayList<>());
    Semaphore inFlight = new Semaphore(IN_FLIGHT);
    List<CompletableFuture<Void>> gets = new ArrayList<>();
    List<String> snapshot = List.copyOf(ids);
    for (int i = 0; i < snapshot.size(); i++) {
      String id = snapshot.get(i);
      Node via = nodes.get((i + shift) % nodes.size());
      inFlight.acquire();
      gets.add(client.sendAsync(via.api.request("/api/v1/environments/" + id).timeout(REQUEST_TIMEOUT).build(),
              HttpResponse.BodyHandlers.ofString())
          .handle((response, error) -> {
            inFlight.release();
            if (error != null) {
              problems.add(id + " via " + via.name + ": " + error);
            } else if (response.statusCode() != 200) {
              problems.add(id + " via " + via.name + ": " + response.statusCode() + " " + response.body());
            } else {
              try {
                views.put(id, JSON.readTree(response.body()));
              } catch (IOException e) {
                problems.add(id + ": " + e);
              }
            }
            return null;
          }));
    }
    CompletableFuture.allOf(gets.toArray(CompletableFuture[]::new)).get(3, TimeUnit.MINUTES);
    assertThat(problems).as("GET of accepted environments (%s of %s failed)", problems.size(), snapshot.size())
        .isEmpty();
    return views;
  }

  private static Map<String, Long> countBy(Map<String, String> statusById) {
    Map<String, Long> counts = new java.util.TreeMap<>();
    statusById.values().forEach(status -> counts.merge(status, 1L, Long::sum));
    return counts;
  }

}
