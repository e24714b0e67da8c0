package io.dcloud.it;

import static org.awaitility.Awaitility.await;

import com.typesafe.config.ConfigFactory;
import io.dcloud.deploy.DockerRuntime;
import io.dcloud.deploy.TestImages;
import io.dcloud.persistence.EmbeddedCassandra;
import io.dcloud.persistence.SharedTestCassandra;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A DCloud cluster of real {@code dcloud node} processes on 127.0.0.1: the embedded Cassandra that
 * the test classes of this JVM share (keyspaces of the run's own: {@link SharedTestCassandra}) and N node JVMs started from
 * {@code app/target/classes} and {@code app/target/lib}, each with every role, its own cluster and
 * HTTP port, its own unique node id ({@code it-<run>-n<i>}) and zone label {@code z<i>}.
 *
 * <p>As in production, the nodes talk over mutual TLS, with one throwaway CA made by n1 into the run's
 * {@code tls} directory, and log in to Cassandra with the password generated when it first started.
 *
 * <p>Nodes join one at a time, n1 first: it founds the cluster and creates the Cassandra schema
 * before the others start, so no two nodes create it at once. As joins never overlap, the members'
 * ages follow the order in which the nodes were (re)started, so the harness knows which running
 * node is the oldest ({@link #oldest}), where the cluster singletons (the scheduler, catalog and
 * template registries) run: n1 until a test stops it, as a node that comes back joins as the
 * youngest.
 *
 * <p>All nodes share this machine's one Docker Engine: every node sees every container, and the
 * {@code dcloud.node=<id>} label says whose it is. {@link #close} removes the containers of every
 * node of this run. Each node's stdout and stderr go to {@code target/cluster-logs/<run>/<name>.log};
 * {@link #printLogTails} prints their ends (tests call it when they fail).
 *
 * <p>Nodes are stopped with SIGKILL ({@link #kill}) or SIGTERM ({@link #stop}, {@link #stopAll}) and
 * started again with the same name, id and ports ({@link #restart}, {@link #restartAll}); {@link
 * #restore} undoes whatever a test did to the cluster, so that tests sharing one do not depend on
 * each other's order: the test classes that need a plain three-node cluster share one ({@link
 * #shared}), and a class that starts a cluster of its own ends the shared one first. With
 * {@code start(size, true)} node i's cluster address is 127.0.0.i and it runs in its own cgroup, so
 * that {@link Partition} can cut it off with iptables.
 */
final class ClusterHarness implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ClusterHarness.class);

  private final String runId;
  private final Path runDir;
  private final Path appTarget;
  /** Set once the shared Cassandra is up. */
  private NodeCommand command;
  private final List<Node> nodes = new ArrayList<>();
  /** Every node started so far, in the order of its latest start: the members' ages, oldest first, once the dead are skipped. */
  private final List<Node> startOrder = new ArrayList<>();
  private EmbeddedCassandra cassandra;
  private final Thread shutdownHook = new Thread(this::killAll, "cluster-harness-kill");
  private final boolean distinctHosts;
  /** Hollow worker nodes each node process runs instead of its worker over Docker; 0: a real worker. */
  private final int hollowEach;

  private ClusterHarness(Path appTarget, Path logRoot, boolean distinctHosts, int hollowEach) throws IOException {
    this.distinctHosts = distinctHosts;
    this.hollowEach = hollowEach;
    this.appTarget = appTarget;
    this.runId = "it-" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt()).substring(2);
    this.runDir = Files.createDirectories(logRoot.resolve(runId));
  }

  /** The three-node cluster that this JVM's test classes share unless they need one of their own: see {@link SharedCluster}. */
  static ClusterHarness shared() throws Exception {
    return SharedCluster.get();
  }

  /** Starts (or reuses) the shared Cassandra and {@code size} nodes, waits until each node's API sees all of them, adds the tiny OS. */
  static ClusterHarness start(int size) throws Exception {
    return start(size, false);
  }

  /**
   * As {@link #start(int)}; with {@code distinctHosts} node i's cluster address is 127.0.0.i (its HTTP API
   * stays on 127.0.0.1), so that a test can cut one node off with iptables.
   */
  static ClusterHarness start(int size, boolean distinctHosts) throws Exception {
    return start(size, distinctHosts, 0);
  }

  /**
   * For benchmarks only: as {@link #start(int)}, but each node process runs {@code hollowEach}
   * hollow worker nodes ({@code dcloud.node.hollow}, containers that only pretend to run) instead of
   * its worker over Docker, named {@code <node id>-hollow-0001} and up.
   */
  static ClusterHarness startHollow(int size, int hollowEach) throws Exception {
    return start(size, false, hollowEach);
  }

  private static ClusterHarness start(int size, boolean distinctHosts, int hollowEach) throws Exception {
    SharedCluster.closeBeforeAnotherStarts();
    Path appTarget = Path.of(System.getProperty("dcloud.it.app-target", "../app/target")).toAbsolutePath().normalize();
    Path logRoot = Path.of(System.getProperty("dcloud.it.log-dir", "target/cluster-logs")).toAbsolutePath().normalize();
    ClusterHarness cluster = new ClusterHarness(appTarget, logRoot, distinctHosts, hollowEach);
    Runtime.getRuntime().addShutdownHook(cluster.shutdownHook);
    try {
      cluster.boot(size);
      return cluster;
    } catch (Throwable e) {
      cluster.printLogTails();
      cluster.close();
      throw e;
    }
  }

  private void boot(int size) throws Exception {
    Instant began = Instant.now();
    try (DockerRuntime runtime = DockerRuntime.create(ConfigFactory.load().getConfig("dcloud.deploy"))) {
      TestImages.ensureBusybox(runtime);
    }
    cassandra = SharedTestCassandra.get();
    command = NodeCommand.of(appTarget, runDir, runId, hollowEach, cassandra.contactPoint());
    LOG.info("Cluster {}: Cassandra at {} after {}", runId, cassandra.contactPoint(), Duration.between(began, Instant.now()));

    int[] ports = RestartablePorts.pick(2 * size);
    for (int i = 1; i <= size; i++) {
      String host = distinctHosts ? "127.0.0." + i : "127.0.0.1";
      nodes.add(new Node(i, host, runId, runDir, ports[2 * (i - 1)], ports[2 * (i - 1) + 1], hollowEach > 0));
    }
    // Each a member before the next starts: see the class comment.
    for (Node node : nodes) {
      launch(node);
      node.awaitHealthy();
      node.awaitSeesUp(aliveNodes());
    }
    for (Node node : nodes) {
      awaitSeesAll(node);
    }
    ClusterSetup.addTinyOsToCatalog(node(1).api);
    LOG.info("Cluster {} of {} nodes up after {} (logs in {})", runId, size, Duration.between(began, Instant.now()), runDir);
  }

  // ------------------------------------------------------------------ accessors

  /** Node {@code i}, 1-based, as started (n1 is the seed and the oldest). */
  Node node(int i) {
    return nodes.get(i - 1);
  }

  List<Node> nodes() {
    return List.copyOf(nodes);
  }

  List<Node> aliveNodes() {
    return nodes.stream().filter(Node::alive).toList();
  }

  /**
   * The oldest running node, where the cluster singletons run (or, right after it was killed, will
   * run once the cluster has downed it).
   */
  Node oldest() {
    return startOrder.stream().filter(Node::alive).findFirst()
        .orElseThrow(() -> new IllegalStateException("no node of " + runId + " runs"));
  }

  Node byId(String nodeId) {
    return nodes.stream().filter(n -> n.id.equals(nodeId)).findFirst()
        .orElseThrow(() -> new AssertionError("no node of this cluster has id " + nodeId + ": " + nodes));
  }

  String runId() {
    return runId;
  }

  /** The cluster's TLS stores and their password file (n1 makes them): a client's certificate comes from here. */
  Path tlsDir() {
    return runDir.resolve("tls");
  }

  // ------------------------------------------------------------------ process control

  /** SIGKILL ({@link Process#destroyForcibly()} on Linux): no shutdown hook, no leaving the cluster. */
  void kill(Node node) throws InterruptedException {
    node.kill();
  }

  /**
   * Starts a dead node again with the same name, id, zone and ports, seeded by the oldest running
   * node (so it joins as the youngest member), or by itself when none runs (it founds a new
   * cluster); waits until its API answers.
   */
  void restart(Node node) throws IOException {
    if (node.alive()) {
      throw new IllegalStateException(node + " still runs");
    }
    NodeLogs.append(node.logFile, "==== restarted by the test at " + Instant.now() + " ====");
    launch(node);
    node.awaitHealthy();
  }

  /**
   * SIGTERM ({@link Process#destroy()}): the node runs its coordinated shutdown (leaves the cluster,
   * hands its shards over) and exits; waits for the exit. Containers keep running.
   */
  void stop(Node node) throws InterruptedException {
    stopAll(List.of(node));
  }

  /** SIGTERM to every given node at once, then waits until each has exited. */
  void stopAll(List<Node> toStop) throws InterruptedException {
    for (Node node : toStop) {
      node.sigterm();
    }
    for (Node node : toStop) {
      node.awaitExitAfterSigterm();
    }
  }

  /**
   * Starts every node again after the whole cluster was stopped: n1 (with no one to join, it forms a
   * new cluster) first, then the others one at a time; waits until every node's API sees all of them UP.
   */
  void restartAll() throws IOException {
    for (Node node : nodes) {
      if (node.alive()) {
        throw new IllegalStateException(node + " still runs");
      }
    }
    restartTheDead();
  }

  /**
   * Brings the cluster back to the shape {@link #start} leaves it in, whatever a test did to it:
   * starts every dead node again (one at a time, each joining as the youngest, so the oldest may no
   * longer be n1), waits until every node sees all of them UP, then deletes every environment that is
   * left and waits until each is DELETED, its container gone and its resources free again.
   */
  void restore() throws IOException {
    restartTheDead();
    ClusterSetup.deleteAllEnvironments(oldest().api, runId);
  }

  /** One at a time, each a member before the next starts; then waits until every node sees all of them UP. */
  private void restartTheDead() throws IOException {
    for (Node node : nodes) {
      if (!node.alive()) {
        restart(node);
        node.awaitSeesUp(aliveNodes());
      }
    }
    for (Node node : nodes) {
      awaitSeesAll(node);
    }
  }

  /** The exit code of a node that is no longer running. */
  int exitValue(Node node) {
    return node.exitValue();
  }

  private void launch(Node node) throws IOException {
    // Any running node will do as the seed; with none, the node seeds itself and so founds the cluster.
    Node seed = startOrder.stream().filter(n -> n != node && n.alive()).findFirst().orElse(node);
    Path cgroup = distinctHosts ? NodeCommand.cgroup2Root().map(root -> root.resolve(node.cgroup())).orElse(null) : null;
    if (cgroup != null) {
      Files.createDirectories(cgroup);
    }
    node.launch(command.toStart(node, seed, cgroup), Files.createDirectories(runDir.resolve(node.name)));
    startOrder.remove(node);
    startOrder.add(node);
    LOG.info("Started {} as pid {}, seeded by {}", node, node.pid(), seed.name);
  }

  /** Its {@code /nodes} lists every node of the cluster (and, once nodes have a state, each is UP). */
  void awaitSeesAll(Node node) {
    node.awaitSeesUp(nodes);
  }

  // ------------------------------------------------------------------ logs

  /**
   * Waits until some node has allocated every environment shard (ShardWarmUp's line), so that what
   * follows measures a formed cluster rather than its first allocations.
   */
  void awaitShardsWarm(Duration within) {
    await("every environment shard allocated").atMost(within).pollInterval(Duration.ofMillis(500))
        .until(() -> nodes.stream().anyMatch(node -> node.hasLogged("environment shards allocated in")));
  }

  /** The last lines of every node's log, for a failed test's report. */
  void printLogTails() {
    StringBuilder out = new StringBuilder();
    for (Node node : nodes) {
      out.append(node.logTailReport());
    }
    System.err.println(out);
    System.out.println(out);
  }

  // ------------------------------------------------------------------ teardown

  /** Kills every node, removes every container of this run's nodes (the run's keyspaces stay in the shared Cassandra). */
  @Override
  public void close() {
    SharedCluster.forget(this);
    killAll();
    try {
      Runtime.getRuntime().removeShutdownHook(shutdownHook);
    } catch (IllegalStateException shuttingDown) {
      // The hook runs anyway.
    }
    for (Node node : nodes) {
      try {
        Docker.removeLabelled("dcloud.node=" + node.id);
      } catch (RuntimeException e) {
        LOG.warn("Cannot remove the containers of {}: {}", node, e.toString());
      }
    }
    if (distinctHosts) {
      NodeCommand.cgroup2Root().ifPresent(root -> nodes.forEach(node -> root.resolve(node.cgroup()).toFile().delete()));
    }
    LOG.info("Cluster {} closed", runId);
  }

  /** Closes the cluster, its containers too, when the JVM exits, instead of only killing its nodes then. */
  void closeWhenTheJvmExits() {
    Runtime.getRuntime().removeShutdownHook(shutdownHook);
    Runtime.getRuntime().addShutdownHook(new Thread(this::close, "shared-cluster-close"));
  }

  private void killAll() {
    for (Node node : nodes) {
      node.destroyForcibly();
    }
    for (Node node : nodes) {
      try {
        node.awaitGone();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }
}
