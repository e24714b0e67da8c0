package io.dcloud.persistence;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The command line of the embedded Cassandra's child JVM: the JVM options of Cassandra's own start
 * scripts (which the cassandra-all jar does not ship), system properties pointing Cassandra at the
 * {@link DataLayout}, and a classpath of the lib dir plus {@link CassandraChildMain} alone.
 */
final class ChildJvmCommand {

  static final String MAIN_CLASS = "org.apache.cassandra.service.CassandraDaemon";

  /**
   * The module-system flags of Cassandra 5.0's {@code conf/jvm17-server.options} (the cassandra-all
   * jar ships no conf/), plus the two {@code --add-exports} of {@code jvm11-server.options} that
   * 5.0 folded into opens. Without them Cassandra fails at once with {@code
   * IllegalAccessException ... DirectBuffer.cleaner}.
   */
  static final List<String> JPMS_FLAGS =
      List.of(
          "--add-exports", "java.base/jdk.internal.misc=ALL-UNNAMED",
          "--add-exports", "java.base/jdk.internal.ref=ALL-UNNAMED",
          "--add-exports", "java.base/sun.nio.ch=ALL-UNNAMED",
          "--add-exports", "java.management.rmi/com.sun.jmx.remote.internal.rmi=ALL-UNNAMED",
          "--add-exports", "java.rmi/sun.rmi.registry=ALL-UNNAMED",
          "--add-exports", "java.rmi/sun.rmi.server=ALL-UNNAMED",
          "--add-exports", "java.sql/java.sql=ALL-UNNAMED",
          "--add-exports", "java.base/java.lang.ref=ALL-UNNAMED",
          "--add-exports", "jdk.unsupported/sun.misc=ALL-UNNAMED",
          "--add-exports", "jdk.compiler/com.sun.tools.javac.file=ALL-UNNAMED",
          "--add-exports", "jdk.attach/sun.tools.attach=ALL-UNNAMED",
          "--add-opens", "java.base/java.lang.module=ALL-UNNAMED",
          "--add-opens", "java.base/jdk.internal.loader=ALL-UNNAMED",
          "--add-opens", "java.base/jdk.internal.ref=ALL-UNNAMED",
          "--add-opens", "java.base/jdk.internal.reflect=ALL-UNNAMED",
          "--add-opens", "java.base/jdk.internal.math=ALL-UNNAMED",
          "--add-opens", "java.base/jdk.internal.module=ALL-UNNAMED",
          "--add-opens", "java.base/jdk.internal.util.jar=ALL-UNNAMED",
          "--add-opens", "jdk.management/com.sun.management.internal=ALL-UNNAMED",
          "--add-opens", "java.base/sun.nio.ch=ALL-UNNAMED",
          "--add-opens", "java.base/java.io=ALL-UNNAMED",
          "--add-opens", "java.base/java.lang.reflect=ALL-UNNAMED",
          "--add-opens", "jdk.compiler/com.sun.tools.javac=ALL-UNNAMED",
          "--add-opens", "java.base/java.lang=ALL-UNNAMED",
          "--add-opens", "java.base/java.util=ALL-UNNAMED",
          "--add-opens", "java.base/java.nio=ALL-UNNAMED");

  private ChildJvmCommand() {}

  /**
   * Installs {@link CassandraChildMain} in the layout's launcher dir and returns the command that
   * runs Cassandra through it.
   */
  static List<String> prepare(String heap, Path libDir, DataLayout layout, int jmxPort, Duration ringDelay)
      throws IOException {
    installChildMain(layout.launcherDir());
    return command(heap, libDir, layout, jmxPort, ringDelay);
  }

  /** Copies {@link CassandraChildMain}'s class file, and only it, to the child's classpath. */
  private static void installChildMain(Path launcherDir) throws IOException {
    String resource = CassandraChildMain.class.getSimpleName() + ".class";
    Path target =
        launcherDir
            .resolve(CassandraChildMain.class.getPackageName().replace('.', '/'))
            .resolve(resource);
    Files.createDirectories(target.getParent());
    try (InputStream in = CassandraChildMain.class.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException("class file of " + CassandraChildMain.class + " not found");
      }
      Files.write(target, in.readAllBytes());
    }
  }

  private static List<String> command(
      String heap, Path libDir, DataLayout layout, int jmxPort, Duration ringDelay) {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("-Xms" + heap);
    cmd.add("-Xmx" + heap);
    // From Cassandra's jvm-server.options / jvm17-server.options (G1 defaults suit a small heap).
    cmd.add("-XX:+UseG1GC");
    cmd.add("-XX:+ParallelRefProcEnabled");
    cmd.add("-XX:MaxTenuringThreshold=1");
    cmd.add("-XX:MaxGCPauseMillis=300");
    cmd.add("-Xss256k");
    cmd.add("-XX:+PerfDisableSharedMem");
    cmd.add("-XX:+ExitOnOutOfMemoryError");
    cmd.add("-Djava.net.preferIPv4Stack=true");
    cmd.add("-Djdk.attach.allowAttachSelf=true");
    cmd.addAll(JPMS_FLAGS);
    cmd.add("-Dio.netty.tryReflectionSetAccessible=true");
    cmd.add("-Dio.netty.allocator.useCacheForAllThreads=true");
    cmd.add("-Dio.netty.allocator.maxOrder=11");
    CassandraLibDir.jammAgent(libDir).ifPresent(jar -> cmd.add("-javaagent:" + jar));
    cmd.add("-Dcassandra.config=" + layout.yaml().toUri());
    cmd.add("-Dcassandra-foreground=yes");
    cmd.add("-Dcassandra.storagedir=" + layout.dataDir());
    cmd.add("-Dcassandra.logdir=" + layout.dataDir());
    // Local JMX: CassandraDaemon.maybeInitJmx calls JMXServerUtils.createJMXServer(port, local =
    // true) when cassandra.jmx.remote.port is absent, which binds the connector and its RMI objects
    // to the loopback address (checked by EmbeddedCassandraSecurityTest). Never set the remote port
    // or com.sun.management.jmxremote.port here: either would take precedence and listen remotely.
    cmd.add("-Dcassandra.jmx.local.port=" + jmxPort);
    // Nothing to wait for before serving; a node joining others waits ringDelay to hear them
    // before it bootstraps (0 there fails with "Unable to contact any seeds").
    cmd.add("-Dcassandra.skip_wait_for_gossip_to_settle=0");
    cmd.add("-Dcassandra.ring_delay_ms=" + ringDelay.toMillis());
    cmd.add("-Dcassandra.superuser_setup_delay_ms=0");
    // One node, no peers to tell: skip the 2 s gossip shutdown announcement on stop.
    cmd.add("-Dcassandra.shutdown_announce_in_ms=0");
    cmd.add("-Dcassandra.triggers_dir=" + layout.triggers());
    cmd.add("-Dlogback.configurationFile=" + layout.logback().toUri());
    cmd.add("-cp");
    cmd.add(libDir.resolve("*") + File.pathSeparator + layout.launcherDir());
    cmd.add(CassandraChildMain.class.getName());
    cmd.add(MAIN_CLASS);
    return cmd;
  }
}
