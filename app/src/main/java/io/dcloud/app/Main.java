package io.dcloud.app;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;
import io.dcloud.config.DCloudConfig;
import io.dcloud.deploy.DockerRuntime;
import io.dcloud.node.LocalNode;
import io.dcloud.node.MachineProfile;
import io.dcloud.node.MachineReport;
import io.dcloud.node.NodeSettings;
import io.dcloud.persistence.EmbeddedCassandra;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.pekko.http.javadsl.ServerBinding;

/**
 * The {@code dcloud} command: {@code dev} (everything on this machine: embedded Cassandra and one
 * node with every role), {@code node} (one node of a cluster) and {@code cassandra} (the embedded
 * Cassandra alone), {@code fingerprint} (this machine as a worker would advertise it). Flags become configuration overrides; everything else comes from HOCON.
 */
public final class Main {
  private static final String USAGE = """
      usage: dcloud dev [--http-port 8080] [--proxy-port 8081] [--data-dir data] [--cassandra-port 9042] [--management-port 8558]
             dcloud node --name N [--host 127.0.0.1] [--cluster-port 25520] [--seeds host:port,...]
                         [--http-host 127.0.0.1] [--http-port 8080] [--proxy-port 8081] [--roles control,gateway,worker]
                         [--cassandra host:port,...] [--data-dir D]
                         [--management-host 127.0.0.1] [--management-port 8558]
             (any configuration key may also be given as -Dkey=value)
             dcloud cassandra [--data-dir D] [--cassandra-port 9042]
             dcloud fingerprint [--name N]    (what a worker on this machine would advertise: cores, memory, disk, GPUs)""";

  private Main() {}

  public static void main(String[] args) throws Exception {
    if (args.length == 0) {
      fail("no command given");
    }
    Map<String, String> flags = flags(Arrays.copyOfRange(args, 1, args.length));
    switch (args[0]) {
      case "dev" -> runDev(flags);
      case "node" -> runNode(flags);
      case "cassandra" -> runCassandra(flags);
      case "fingerprint" -> printFingerprint(flags);
      default -> fail("unknown command '" + args[0] + "'");
    }
  }

  private static void runDev(Map<String, String> flags) throws InterruptedException {
    Config config = configFor(flags);
    EmbeddedCassandra cassandra = startCassandra(config);
    Config withCassandra = DCloudConfig.load(overrides(flags)
        .withValue("dcloud.cassandra.contact-points", ConfigValueFactory.fromIterable(List.of(cassandra.contactPoint()))));
    runUntilSignalled(DCloudNode.start(withCassandra), cassandra);
  }

  private static void runNode(Map<String, String> flags) throws InterruptedException {
    runUntilSignalled(DCloudNode.start(configFor(flags)), null);
  }

  private static void runCassandra(Map<String, String> flags) throws InterruptedException {
    EmbeddedCassandra cassandra = startCassandra(configFor(flags));
    System.out.println("Embedded Cassandra is up at " + cassandra.contactPoint() + " (Ctrl-C stops it)");
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      cassandra.close();
      stopped.countDown();
    }, "dcloud-stop"));
    stopped.await();
  }

  /**
   * Measures this machine as a worker would at start (the same settings), prints it and exits. It
   * only reads: the secrets key a worker would read or generate is left alone.
   */
  private static void printFingerprint(Map<String, String> flags) {
    // Before the first logger exists: the log goes to stderr, stdout is the report alone.
    System.setProperty("dcloud.log.target", "System.err");
    Config config = configFor(flags)
        .withValue("dcloud.secrets.key", ConfigValueFactory.fromAnyRef(""))
        .withValue("dcloud.secrets.key-file", ConfigValueFactory.fromAnyRef(""));
    NodeSettings settings = NodeSettings.fromConfig(config, LocalNode.hostname());
    try (DockerRuntime runtime = DockerRuntime.create(config.getConfig("dcloud.deploy"))) {
      System.out.print(MachineReport.text(MachineProfile.measure(settings, runtime.info()), settings));
    }
  }

  private static EmbeddedCassandra startCassandra(Config config) {
    EmbeddedCassandra.Settings settings = EmbeddedCassandra.Settings.fromConfig(config);
    System.out.println("Starting the embedded Cassandra (data in " + settings.dataDir().toAbsolutePath() + ") ...");
    return EmbeddedCassandra.start(settings);
  }

  /**
   * Stays in the foreground; SIGTERM/Ctrl-C stops DCloud first, then its Cassandra. Containers keep
   * running. A node the cluster downed (it was cut off and the majority went on without it) stops
   * its actor system by itself: the process then exits non-zero ({@link LeftClusterExit}), for its
   * supervisor to restart it as a fresh member.
   */
  private static void runUntilSignalled(DCloudNode node, EmbeddedCassandra cassandra) throws InterruptedException {
    CountDownLatch stopped = new CountDownLatch(1);
    AtomicBoolean signalled = new AtomicBoolean();
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      signalled.set(true);
      node.close();
      if (cassandra != null) {
        cassandra.close();
      }
      stopped.countDown();
    }, "dcloud-stop"));
    LeftClusterExit.watch(node.system(), signalled::get,
        status -> new Thread(() -> System.exit(status), "dcloud-exit").start());
    node.binding().whenComplete((binding, failure) -> announce(node, binding, failure));
    stopped.await();
  }

  private static void announce(DCloudNode node, ServerBinding binding, Throwable failure) {
    if (binding != null) {
      var address = binding.localAddress();
      System.out.println("DCloud is up: API at http://" + address.getHostString() + ":" + address.getPort()
          + "/api/v1 (Ctrl-C stops DCloud; containers keep running)");
      node.management().thenAccept(management -> System.out.println("Metrics at http://"
          + management.localAddress().getHostString() + ":" + management.localAddress().getPort() + "/metrics"));
    } else if (failure instanceof java.util.concurrent.CancellationException) {
      System.out.println("DCloud node is up (no gateway role on this node)");
    } else {
      System.err.println("DCloud could not serve its API: " + failure.getMessage());
    }
  }

  static Config configFor(Map<String, String> flags) {
    return DCloudConfig.load(overrides(flags));
  }

  /** Each flag is a configuration key: the README lists them. */
  static Config overrides(Map<String, String> flags) {
    Map<String, Object> values = new HashMap<>();
    flags.forEach((flag, value) -> {
      switch (flag) {
        case "http-port" -> values.put("dcloud.http.port", Integer.parseInt(value));
        case "proxy-port" -> values.put("dcloud.http.proxy.port", Integer.parseInt(value));
        case "data-dir" -> {
          values.put("dcloud.data-dir", value);
          values.put("dcloud.cassandra.embedded.data-dir", Path.of(value, "cassandra").toString());
        }
        case "cassandra-port" -> values.put("dcloud.cassandra.embedded.cql-port", Integer.parseInt(value));
        case "name" -> values.put("dcloud.node.id", value);
        case "cluster-port" -> values.put("pekko.remote.artery.canonical.port", Integer.parseInt(value));
        case "host" -> values.put("pekko.remote.artery.canonical.hostname", value);
        case "http-host" -> values.put("dcloud.http.host", value);
        case "management-host" -> values.put("dcloud.management.host", value);
        case "management-port" -> values.put("dcloud.management.port", Integer.parseInt(value));
        case "seeds" -> values.put("pekko.cluster.seed-nodes", seedAddresses(value));
        case "roles" -> values.put("pekko.cluster.roles", List.of(value.split(",")));
        case "cassandra" -> values.put("dcloud.cassandra.contact-points", List.of(value.split(",")));
        default -> fail("unknown flag --" + flag);
      }
    });
    return ConfigFactory.parseMap(values);
  }

  private static List<String> seedAddresses(String hostPorts) {
    List<String> seeds = new ArrayList<>();
    for (String hostPort : hostPorts.split(",")) {
      seeds.add("pekko://dcloud@" + hostPort.trim());
    }
    return seeds;
  }

  private static Map<String, String> flags(String[] args) {
    Map<String, String> flags = new HashMap<>();
    for (int i = 0; i < args.length; i++) {
      if (!args[i].startsWith("--") || i + 1 >= args.length) {
        fail("expected --flag value, got '" + args[i] + "'");
      }
      flags.put(args[i].substring(2), args[++i]);
    }
    return flags;
  }

  private static void fail(String message) {
    System.err.println("dcloud: " + message);
    System.err.println(USAGE);
    System.exit(2);
  }
}
