package io.dcloud.it;

import io.dcloud.persistence.SharedTestCassandra;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The command line that starts one node of a test cluster as {@code dcloud node}, from {@code
 * app/target/classes} and {@code app/target/lib}: its id, zone, ports and seed, the run's TLS
 * directory, secrets key and keyspaces, and the shared Cassandra.
 */
record NodeCommand(Path appClasses, Path appLib, Path runDir, String runId, int hollowEach, String cassandraContactPoint) {
  /**
   * The nodes' JVM options: small and quick to start for the tests (three nodes and Cassandra on two
   * cores), unless {@code DCLOUD_NODE_JVM} names others: {@code ./dcloud bench} passes the launcher's
   * own (its NODE_JVM), so that the benchmarks measure nodes as they run in production.
   */
  private static final List<String> NODE_JVM = List.of(Optional.ofNullable(System.getenv("DCLOUD_NODE_JVM"))
      .filter(options -> !options.isBlank())
      .orElse("-Xms128m -Xmx512m -XX:+UseSerialGC -XX:TieredStopAtLevel=1").trim().split("\\s+"));
  static final String ROLES = "control,gateway,worker";

  /** {@code appTarget}: the app module's {@code target}, built with its runtime jars in {@code lib}. */
  static NodeCommand of(Path appTarget, Path runDir, String runId, int hollowEach, String cassandraContactPoint) {
    Path appClasses = appTarget.resolve("classes");
    Path appLib = appTarget.resolve("lib");
    if (!Files.isDirectory(appLib) || !Files.isDirectory(appClasses.resolve("io/dcloud/app"))) {
      throw new IllegalStateException("The dcloud node classpath is missing: " + appClasses + " and " + appLib
          + " must exist. Run 'mvn -B -q package -DskipTests' in the checkout first (app's package phase copies"
          + " its runtime jars to app/target/lib).");
    }
    return new NodeCommand(appClasses, appLib, runDir, runId, hollowEach, cassandraContactPoint);
  }

  /** {@code cgroup}: the cgroup (v2) directory the node is to run in, or null. */
  List<String> toStart(Node node, Node seed, Path cgroup) {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<String> command = new ArrayList<>();
    if (cgroup != null) {
      // Into its own cgroup before the JVM starts, so every socket it opens belongs to it.
      command.addAll(List.of("sh", "-c", "echo $$ > \"$0\" && exec \"$@\"", cgroup.resolve("cgroup.procs").toString()));
    }
    command.add(java);
    command.addAll(NODE_JVM);
    command.addAll(List.of(
        "-XX:+ExitOnOutOfMemoryError",
        "-Ddcloud.node.id=" + node.id,
        "-Ddcloud.node.labels.zone=" + node.zone,
        "-Dpekko.actor.serialize-messages=off",
        // One CA and one secrets key for the whole cluster (n1 makes them), and the password the embedded Cassandra was set up with.
        "-Ddcloud.cluster.tls.dir=" + runDir.resolve("tls"),
        "-Ddcloud.secrets.key-file=" + runDir.resolve("secrets.key"),
        "-Ddcloud.cassandra.password-file=" + SharedTestCassandra.passwordFile(),
        "-Ddcloud.node.hollow.nodes=" + hollowEach,
        "-Ddcloud.node.hollow.id-prefix=" + node.id + "-hollow"));
    for (var keyspace : SharedTestCassandra.keyspacesOf(runId).entrySet()) {
      command.add("-D" + keyspace.getKey() + "=" + keyspace.getValue());
    }
    command.addAll(List.of(
        "-cp", appClasses + ":" + appLib + "/*",
        "io.dcloud.app.Main", "node",
        "--name", node.id,
        "--host", node.host,
        "--cluster-port", String.valueOf(node.clusterPort),
        "--seeds", seed.host + ":" + seed.clusterPort,
        "--http-port", String.valueOf(node.httpPort),
        // Several nodes on one machine: each management port (/metrics, /ready) on any free port.
        "--management-port", "0",
        // And each gateway's proxy into environments.
        "--proxy-port", "0",
        "--roles", ROLES,
        "--cassandra", cassandraContactPoint));
    return command;
  }

  /** Where cgroup v2 is mounted (alone, or beside v1 as {@code unified}), if it is and this process may create groups in it. */
  static Optional<Path> cgroup2Root() {
    for (Path candidate : List.of(Path.of("/sys/fs/cgroup/unified"), Path.of("/sys/fs/cgroup"))) {
      if (Files.exists(candidate.resolve("cgroup.procs")) && Files.isWritable(candidate)) {
        return Optional.of(candidate);
      }
    }
    return Optional.empty();
  }
}
