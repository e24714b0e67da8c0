package io.dcloud.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.dcloud.config.DCloudConfig;
import io.dcloud.deploy.DockerRuntime;
import io.dcloud.deploy.TestImages;
import io.dcloud.persistence.EmbeddedCassandra;
import io.dcloud.persistence.SharedTestCassandra;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * DCloud on one machine as {@code dcloud dev} runs it, for the end-to-end tests: the embedded
 * Cassandra, a real Docker Engine, one node with every role on free ports, every message through
 * the serializer (as between machines), the first admin signed in by {@link #api()}, and the
 * catalog's {@code tiny} OS (a local busybox image, so environments start in seconds). Closing it
 * stops the node and removes its containers (and the volumes a test asked it to).
 *
 * <p>{@link #start} puts the node's data in keyspaces of its own in the JVM's {@link
 * SharedTestCassandra} (started once for all test classes: 8–10 s saved per class);
 * {@link #startWithItsOwnCassandra} gives it a Cassandra that the test may stop and start again.
 */
final class OneNodeDCloud implements AutoCloseable {
  /** The first admin's password, as DCLOUD_ADMIN_PASSWORD gives it to `dcloud dev`. */
  static final String ADMIN_PASSWORD = "dcloud-it-admin";
  static final Duration UP_WITHIN = Duration.ofSeconds(90);

  private static final ObjectMapper JSON = new ObjectMapper();

  private final String nodeId;
  private final Map<String, Object> settings;
  private final Path dataDir;
  private final List<String> volumesToRemove = new ArrayList<>();
  /** Set when the node has a Cassandra of its own, which closing this stops. */
  private EmbeddedCassandra ownCassandra;
  private EmbeddedCassandra cassandra;
  private DCloudNode node;
  private Api api;

  private OneNodeDCloud(String nodeId, Map<String, Object> settings, Path dataDir) {
    this.nodeId = nodeId;
    this.settings = settings;
    this.dataDir = dataDir;
  }

  /**
   * Starts the node {@code nodeId} with {@code settings} over the defaults, its data in keyspaces
   * named after it in the shared Cassandra, and adds the tiny OS.
   */
  static OneNodeDCloud start(String nodeId, Map<String, Object> settings) throws Exception {
    Map<String, Object> inSharedCassandra = new HashMap<>(SharedTestCassandra.keyspacesOf(nodeId));
    inSharedCassandra.put("dcloud.cassandra.password-file", SharedTestCassandra.passwordFile().toString());
    inSharedCassandra.putAll(settings);
    OneNodeDCloud dcloud = prepare(nodeId, inSharedCassandra);
    dcloud.cassandra = SharedTestCassandra.get();
    return dcloud.started();
  }

  /** As {@link #start}, with a Cassandra of its own in the node's data dir ({@link #stopCassandra} may stop it). */
  static OneNodeDCloud startWithItsOwnCassandra(String nodeId, Map<String, Object> settings) throws Exception {
    OneNodeDCloud dcloud = prepare(nodeId, settings);
    dcloud.ownCassandra = EmbeddedCassandra.start(EmbeddedCassandra.Settings.fromConfig(dcloud.inDataDir())
        .withDataDir(dcloud.dataDir.resolve("cassandra")).withPorts(0, 0));
    dcloud.cassandra = dcloud.ownCassandra;
    return dcloud.started();
  }

  private static OneNodeDCloud prepare(String nodeId, Map<String, Object> settings) throws Exception {
    try (DockerRuntime runtime = DockerRuntime.create(ConfigFactory.load().getConfig("dcloud.deploy"))) {
      TestImages.ensureBusybox(runtime);
    }
    return new OneNodeDCloud(nodeId, settings, Files.createTempDirectory("dcloud-" + nodeId));
  }

  private OneNodeDCloud started() throws Exception {
    startNode();
    addTinyOsToCatalog();
    return this;
  }

  /**
   * The application's config with this data dir: the node's TLS stores and the Cassandra password
   * it shares with the embedded Cassandra are made there, not in the module's directory.
   */
  private Config inDataDir() {
    return DCloudConfig.load(ConfigFactory.parseMap(Map.of("dcloud.data-dir", dataDir.toString())));
  }

  /** (Again) starts the node, on the same data dir and Cassandra, and waits until it is available. */
  void startNode() throws Exception {
    Map<String, Object> overrides = new HashMap<>();
    overrides.put("dcloud.data-dir", dataDir.toString());
    overrides.put("dcloud.http.port", 0);
    overrides.put("dcloud.http.proxy.port", 0);
    overrides.put("dcloud.management.port", 0);
    overrides.put("pekko.remote.artery.canonical.port", 0);
    overrides.put("dcloud.node.id", nodeId);
    overrides.put("dcloud.cassandra.contact-points", List.of(cassandra.contactPoint()));
    overrides.put("pekko.actor.serialize-messages", "on");
    overrides.put("dcloud.identity.admin-password", ADMIN_PASSWORD);
    overrides.putAll(settings);
    node = DCloudNode.start(DCloudConfig.load(ConfigFactory.parseMap(overrides)));
    api = new Api(node.binding().toCompletableFuture().get(UP_WITHIN.toSeconds(), TimeUnit.SECONDS).localAddress().getPort());
    await().atMost(UP_WITHIN).untilAsserted(() -> {
      JsonNode nodes = api.get("/api/v1/nodes").json().get("nodes");
      assertThat(nodes).hasSize(1);
      assertThat(nodes.get(0).get("available").asBoolean()).isTrue();
    });
  }

  /** Stops the node gracefully, as Ctrl-C would (its containers keep running). */
  void stopNode() {
    node.close();
  }

  /**
   * Stops the node's own Cassandra ({@link #startWithItsOwnCassandra}); {@link #startCassandraAgain}
   * brings the same one back on the same ports.
   */
  EmbeddedCassandra.Settings stopCassandra() {
    if (ownCassandra == null) {
      throw new IllegalStateException("the shared Cassandra is not this test's to stop: use startWithItsOwnCassandra");
    }
    EmbeddedCassandra.Settings same = EmbeddedCassandra.Settings.fromConfig(inDataDir())
        .withDataDir(ownCassandra.dataDir()).withPorts(ownCassandra.cqlPort(), ownCassandra.storagePort());
    ownCassandra.close();
    return same;
  }

  void startCassandraAgain(EmbeddedCassandra.Settings same) {
    ownCassandra = EmbeddedCassandra.start(same);
    cassandra = ownCassandra;
  }

  private void addTinyOsToCatalog() throws Exception {
    ArrayNode catalog = (ArrayNode) api.get("/api/v1/catalog").json();
    ObjectNode tiny = catalog.addObject().put("os", "tiny").put("base-image", TestImages.BUSYBOX);
    tiny.putArray("init-steps");
    ObjectNode shell = tiny.putObject("specifications").putObject("shell");
    shell.putArray("installation-steps");
    shell.putObject("libraries");
    Api.Response replaced = api.put("/api/v1/catalog", JSON.writeValueAsString(catalog));
    assertThat(replaced.status()).as(replaced.body()).isEqualTo(200);
  }

  /** The API of the node now running, signed in as the first admin. */
  Api api() {
    return api;
  }

  /** The API on the running node's management port: metrics, readiness and liveness. */
  Api managementApi() throws Exception {
    return new Api(node.management().toCompletableFuture().get(UP_WITHIN.toSeconds(), TimeUnit.SECONDS)
        .localAddress().getPort());
  }

  /** A port free now on the loopback, for a port setting that must stay the same when the node restarts. */
  static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }

  /** Has {@link #close} remove volume too (if it is still there): a persistent one, which the node keeps after its environment. */
  void removeVolumeOnClose(String volume) {
    volumesToRemove.add(volume);
  }

  DCloudNode node() {
    return node;
  }

  String nodeId() {
    return nodeId;
  }

  @Override
  public void close() {
    if (node != null) {
      node.close();
    }
    if (ownCassandra != null) {
      ownCassandra.close();
    }
    Docker.containersLabelled("dcloud.node=" + nodeId).forEach(id -> Docker.run("rm", "-f", id));
    volumesToRemove.stream().filter(Docker::exists).forEach(volume -> Docker.run("volume", "rm", "-f", volume));
    // Persistent volumes its environments left (kept on delete), unless a test removed them.
    Docker.run("volume", "ls", "-q", "--filter", "label=dcloud.node=" + nodeId).lines().filter(line -> !line.isBlank())
        .forEach(volume -> Docker.run("volume", "rm", "-f", volume));
  }
}
