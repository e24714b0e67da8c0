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
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * DCloud on one machine as {@code dcloud dev} runs it, for the end-to-end tests: the embedded
 * Cassandra in a data dir of its own, a real Docker Engine, one node with every role on free ports,
 * every message through the serializer (as between machines), the first admin signed in by
 * {@link #api()}, and the catalog's {@code tiny} OS (a local busybox image, so environments start in
 * seconds). Closing it stops the node and Cassandra and removes the node's containers.
 */
final class OneNodeDCloud implements AutoCloseable {
  /** The first admin's password, as DCLOUD_ADMIN_PASSWORD gives it to `dcloud dev`. */
  static final String ADMIN_PASSWORD = "dcloud-it-admin";
  static final Duration UP_WITHIN = Duration.ofSeconds(90);

  private static final ObjectMapper JSON = new ObjectMapper();

  private final String nodeId;
  private final Map<String, Object> settings;
  private final Path dataDir;
  private EmbeddedCassandra cassandra;
  private DCloudNode node;
  private Api api;

  private OneNodeDCloud(String nodeId, Map<String, Object> settings, Path dataDir) {
    this.nodeId = nodeId;
    this.settings = settings;
    this.dataDir = dataDir;
  }

  /** Starts Cassandra and the node {@code nodeId} with {@code settings} over the defaults, and adds the tiny OS. */
  static OneNodeDCloud start(String nodeId, Map<String, Object> settings) throws Exception {
    try (DockerRuntime runtime = DockerRuntime.create(ConfigFactory.load().getConfig("dcloud.deploy"))) {
      TestImages.ensureBusybox(runtime);
    }
    OneNodeDCloud dcloud = new OneNodeDCloud(nodeId, settings, Files.createTempDirectory("dcloud-" + nodeId));
    dcloud.cassandra = EmbeddedCassandra.start(EmbeddedCassandra.Settings.fromConfig(dcloud.inDataDir())
        .withDataDir(dcloud.dataDir.resolve("cassandra")).withPorts(0, 0));
    dcloud.startNode();
    dcloud.addTinyOsToCatalog();
    return dcloud;
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

  /** Stops Cassandra; {@link #startCassandraAgain} brings the same one back on the same ports. */
  EmbeddedCassandra.Settings stopCassandra() {
    EmbeddedCassandra.Settings same = EmbeddedCassandra.Settings.fromConfig(inDataDir())
        .withDataDir(cassandra.dataDir()).withPorts(cassandra.cqlPort(), cassandra.storagePort());
    cassandra.close();
    return same;
  }

  void startCassandraAgain(EmbeddedCassandra.Settings same) {
    cassandra = EmbeddedCassandra.start(same);
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
    if (cassandra != null) {
      cassandra.close();
    }
    Docker.containersLabelled("dcloud.node=" + nodeId).forEach(id -> Docker.run("rm", "-f", id));
  }
}
