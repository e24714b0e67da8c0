package io.dcloud.persistence;

import com.typesafe.config.Config;
import java.io.IOException;
import java.io.InputStream;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A single-node Apache Cassandra 5.0 for development and tests, run in a child JVM.
 *
 * <p>The child runs {@code org.apache.cassandra.service.CassandraDaemon} on its own classpath
 * ({@code <libDir>/*}, made by the {@code cassandra-dist} module): Cassandra's Netty, Guava,
 * Jackson and Logback never meet DCloud's. Everything it writes — {@code cassandra.yaml}, {@code
 * logback.xml}, data, commit log, {@code cassandra.log} — lives under the data directory, so data
 * survives a restart on the same directory.
 *
 * <p>{@link #start} blocks until the CQL port accepts TCP connections. {@link #close} sends SIGTERM
 * (Cassandra drains), waits up to the drain timeout, then kills. The child never outlives this JVM:
 *
 * <ul>
 *   <li>a JVM shutdown hook registered by {@link #start} (and removed by {@link #close}) stops it the
 *       same way on a normal exit, {@code System.exit} or SIGTERM/SIGINT of this JVM;
 *   <li>for {@code kill -9}, when no hook runs, the child's main ({@link CassandraChildMain}) watches
 *       the stdin pipe this JVM holds open and exits when the kernel closes it.
 * </ul>
 *
 * <p>A lock file in the data directory ({@value #LOCK_FILE}) stops a second instance from using
 * the same directory at the same time.
 */
public final class EmbeddedCassandra implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(EmbeddedCassandra.class);

  static final String MAIN_CLASS = "org.apache.cassandra.service.CassandraDaemon";
  static final String LOCK_FILE = "embedded-cassandra.lock";
  static final String LOG_FILE = "cassandra.log";
  static final String CONSOLE_FILE = "cassandra-console.log";
  private static final int LOG_TAIL_LINES = 30;
  private static final Duration POLL_INTERVAL = Duration.ofMillis(200);
  private static final Duration CONNECT_TIMEOUT = Duration.ofMillis(500);
  private static final Duration KILL_WAIT = Duration.ofSeconds(10);

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

  /** Where and how to run the embedded Cassandra; see {@code dcloud.cassandra.embedded}. */
  public record Settings(
      Path libDir,
      Path dataDir,
      String host,
      int cqlPort,
      int storagePort,
      String heap,
      Duration startupTimeout,
      Duration drainTimeout) {

    /** The configuration section {@link #fromConfig} reads. */
    public static final String CONFIG_PATH = "dcloud.cassandra.embedded";

    private static final Pattern HEAP = Pattern.compile("[1-9][0-9]*[kKmMgG]?");

    public Settings {
      Objects.requireNonNull(libDir, "libDir");
      Objects.requireNonNull(dataDir, "dataDir");
      Objects.requireNonNull(host, "host");
      Objects.requireNonNull(heap, "heap");
      Objects.requireNonNull(startupTimeout, "startupTimeout");
      Objects.requireNonNull(drainTimeout, "drainTimeout");
      checkPort("cqlPort", cqlPort);
      checkPort("storagePort", storagePort);
      if (!HEAP.matcher(heap).matches()) {
        throw new IllegalArgumentException(
            "heap must be a JVM size such as 512M or 1G, not '" + heap + "'");
      }
      if (startupTimeout.isNegative() || startupTimeout.isZero()) {
        throw new IllegalArgumentException("startupTimeout must be positive: " + startupTimeout);
      }
      if (drainTimeout.isNegative()) {
        throw new IllegalArgumentException("drainTimeout must not be negative: " + drainTimeout);
      }
    }

    /**
     * Reads the {@value #CONFIG_PATH} section of an application's (root) config. Relative paths
     * are resolved against the working directory when Cassandra starts.
     */
    public static Settings fromConfig(Config config) {
      Config c = config.getConfig(CONFIG_PATH);
      return new Settings(
          Path.of(c.getString("lib-dir")),
          Path.of(c.getString("data-dir")),
          c.getString("host"),
          c.getInt("cql-port"),
          c.getInt("storage-port"),
          c.getString("heap"),
          c.getDuration("startup-timeout"),
          c.getDuration("drain-timeout"));
    }

    public Settings withDataDir(Path newDataDir) {
      return new Settings(
          libDir, newDataDir, host, cqlPort, storagePort, heap, startupTimeout, drainTimeout);
    }

    /** Ports 0 mean "pick a free port at start". */
    public Settings withPorts(int newCqlPort, int newStoragePort) {
      return new Settings(
          libDir, dataDir, host, newCqlPort, newStoragePort, heap, startupTimeout, drainTimeout);
    }

    private static void checkPort(String name, int port) {
      if (port < 0 || port > 65535) {
        throw new IllegalArgumentException(name + " must be 0 (any free port) to 65535: " + port);
      }
    }
  }

  /** Cassandra did not become ready: the message ends with the last lines of its logs. */
  public static final class StartException extends RuntimeException {
    StartException(String message, Throwable cause) {
      super(message, cause);
    }
  }

  private final Settings settings;
  private final Process process;
  private final int cqlPort;
  private final int storagePort;
  private final Thread shutdownHook;
  private final FileChannel lockChannel;
  private final FileLock lock;
  private final AtomicBoolean closed = new AtomicBoolean();

  private EmbeddedCassandra(
      Settings settings,
      Process process,
      int cqlPort,
      int storagePort,
      Thread shutdownHook,
      FileChannel lockChannel,
      FileLock lock) {
    this.settings = settings;
    this.process = process;
    this.cqlPort = cqlPort;
    this.storagePort = storagePort;
    this.shutdownHook = shutdownHook;
    this.lockChannel = lockChannel;
    this.lock = lock;
  }

  /**
   * Launches Cassandra and blocks until its CQL port accepts connections.
   *
   * @throws StartException if the child exits or is not ready within {@code startupTimeout} (the
   *     child is then killed); the message includes the last lines of its log
   * @throws IllegalStateException if the lib dir holds no Cassandra, a fixed port is taken, or the
   *     data dir is in use by another embedded Cassandra
   */
  public static EmbeddedCassandra start(Settings settings) {
    Path libDir = settings.libDir().toAbsolutePath().normalize();
    Path dataDir = settings.dataDir().toAbsolutePath().normalize();
    checkLibDir(libDir);
    Layout layout = Layout.create(dataDir);

    FileChannel lockChannel = null;
    FileLock lock = null;
    Process process = null;
    Thread hook = null;
    try {
      lockChannel =
          FileChannel.open(
              dataDir.resolve(LOCK_FILE), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
      lock = tryLock(lockChannel, dataDir);

      InetAddress address = InetAddress.getByName(settings.host());
      int[] ports = choosePorts(address, settings.cqlPort(), settings.storagePort());
      int cql = ports[0];
      int storage = ports[1];
      int jmx = ports[2];

      Files.writeString(layout.yaml, cassandraYaml(settings, layout, cql, storage));
      Files.writeString(layout.logback, logbackXml(layout.log));
      Path launcherDir = installChildMain(layout);

      List<String> command = command(settings, libDir, launcherDir, layout, jmx);
      ProcessBuilder builder =
          new ProcessBuilder(command)
              .directory(dataDir.toFile())
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.to(layout.console.toFile()));
      // As Cassandra's own cassandra-env.sh: fewer glibc arenas, less resident memory.
      builder.environment().putIfAbsent("MALLOC_ARENA_MAX", "4");

      log.info(
          "Starting embedded Cassandra: data dir {}, CQL {}:{}, storage port {}, heap {}, log {}",
          dataDir,
          settings.host(),
          cql,
          storage,
          settings.heap(),
          layout.log);
      long startNanos = System.nanoTime();
      process = builder.start();
      Process child = process;
      hook =
          new Thread(
              () -> stop(child, settings.drainTimeout()), "embedded-cassandra-shutdown-hook");
      Runtime.getRuntime().addShutdownHook(hook);

      awaitReady(process, new InetSocketAddress(address, cql), settings.startupTimeout(), layout);
      Duration took = Duration.ofNanos(System.nanoTime() - startNanos);
      log.info(
          "Embedded Cassandra ready on {}:{} in {} ms (pid {}, data dir {})",
          settings.host(),
          cql,
          took.toMillis(),
          process.pid(),
          dataDir);

      EmbeddedCassandra cassandra =
          new EmbeddedCassandra(
              settings.withDataDir(dataDir), process, cql, storage, hook, lockChannel, lock);
      process
          .onExit()
          .thenAccept(
              p -> {
                if (!cassandra.closed.get()) {
                  log.error(
                      "Embedded Cassandra (pid {}) exited unexpectedly with code {}; see {}",
                      p.pid(),
                      p.exitValue(),
                      layout.log);
                }
              });
      return cassandra;
    } catch (IOException | RuntimeException | InterruptedException e) {
      if (e instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
      if (process != null) {
        kill(process);
      }
      if (hook != null) {
        removeHook(hook);
      }
      release(lock, lockChannel);
      if (e instanceof StartException || e instanceof IllegalStateException) {
        throw (RuntimeException) e;
      }
      throw new StartException(
          "Embedded Cassandra failed to start in " + dataDir + ": " + e + logTails(layout), e);
    }
  }

  public String host() {
    return settings.host();
  }

  /** The native (CQL) port actually in use (a free one if the settings said 0). */
  public int cqlPort() {
    return cqlPort;
  }

  /** The internode port actually in use. */
  public int storagePort() {
    return storagePort;
  }

  /** {@code host:port}, as {@code datastax-java-driver.basic.contact-points} expects it. */
  public String contactPoint() {
    return settings.host() + ":" + cqlPort;
  }

  public InetSocketAddress cqlAddress() {
    return new InetSocketAddress(settings.host(), cqlPort);
  }

  /** Absolute data directory. */
  public Path dataDir() {
    return settings.dataDir();
  }

  public Path logFile() {
    return settings.dataDir().resolve(LOG_FILE);
  }

  /** The child JVM, e.g. to watch it ({@code onExit}) or measure it. */
  public ProcessHandle process() {
    return process.toHandle();
  }

  public boolean isRunning() {
    return process.isAlive();
  }

  /**
   * Stops Cassandra: SIGTERM (Cassandra drains memtables), at most {@code drainTimeout}, then
   * SIGKILL. Idempotent; returns when the child is gone.
   */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    long startNanos = System.nanoTime();
    removeHook(shutdownHook);
    stop(process, settings.drainTimeout());
    release(lock, lockChannel);
    log.info(
        "Embedded Cassandra stopped in {} ms (exit code {})",
        Duration.ofNanos(System.nanoTime() - startNanos).toMillis(),
        process.isAlive() ? "none: still running" : String.valueOf(process.exitValue()));
  }

  // ---------------------------------------------------------------------------------------------
  // launching

  private record Layout(
      Path dataDir,
      Path conf,
      Path yaml,
      Path logback,
      Path log,
      Path console,
      Path data,
      Path commitlog,
      Path savedCaches,
      Path hints,
      Path cdcRaw,
      Path triggers) {

    static Layout create(Path dataDir) {
      Path conf = dataDir.resolve("conf");
      Layout layout =
          new Layout(
              dataDir,
              conf,
              conf.resolve("cassandra.yaml"),
              conf.resolve("logback.xml"),
              dataDir.resolve(LOG_FILE),
              dataDir.resolve(CONSOLE_FILE),
              dataDir.resolve("data"),
              dataDir.resolve("commitlog"),
              dataDir.resolve("saved_caches"),
              dataDir.resolve("hints"),
              dataDir.resolve("cdc_raw"),
              dataDir.resolve("triggers"));
      try {
        for (Path dir :
            List.of(
                conf,
                layout.data,
                layout.commitlog,
                layout.savedCaches,
                layout.hints,
                layout.cdcRaw,
                layout.triggers)) {
          Files.createDirectories(dir);
        }
      } catch (IOException e) {
        throw new UncheckedIOException("cannot create Cassandra directories in " + dataDir, e);
      }
      return layout;
    }
  }

  private static void checkLibDir(Path libDir) {
    boolean hasCassandra;
    try (Stream<Path> jars = Files.list(libDir)) {
      hasCassandra =
          jars.anyMatch(p -> p.getFileName().toString().matches("cassandra-all-.*\\.jar"));
    } catch (IOException e) {
      hasCassandra = false;
    }
    if (!hasCassandra) {
      throw new IllegalStateException(
          "No cassandra-all jar in "
              + libDir
              + ": build it with `mvn install -pl cassandra-dist` or set dcloud.cassandra.embedded.lib-dir"
              + " (system property dcloud.cassandra.lib-dir)");
    }
    warnIfLoggingBroken(libDir);
  }

  /**
   * Cassandra 5.0 logs through SLF4J 1.7 and Logback 1.2. Without logback-classic, or with an SLF4J
   * 2 API (which ignores Logback 1.2's binding), it silently logs nothing: no cassandra.log.
   */
  private static void warnIfLoggingBroken(Path libDir) {
    List<String> names;
    try (Stream<Path> jars = Files.list(libDir)) {
      names = jars.map(p -> p.getFileName().toString()).toList();
    } catch (IOException e) {
      return;
    }
    boolean logbackClassic = names.stream().anyMatch(n -> n.startsWith("logback-classic-1."));
    boolean slf4j2 = names.stream().anyMatch(n -> n.startsWith("slf4j-api-2."));
    boolean logback12 = names.stream().anyMatch(n -> n.startsWith("logback-classic-1.2."));
    if (!logbackClassic || (slf4j2 && logback12)) {
      log.warn(
          "Cassandra will write no {}: {} needs logback-classic 1.2.x with slf4j-api 1.7.x"
              + " (found logback-classic: {}, slf4j-api 2.x: {})",
          LOG_FILE,
          libDir,
          logbackClassic,
          slf4j2);
    }
  }

  private static FileLock tryLock(FileChannel channel, Path dataDir) throws IOException {
    FileLock lock;
    try {
      lock = channel.tryLock();
    } catch (OverlappingFileLockException e) {
      lock = null;
    }
    if (lock == null) {
      throw new IllegalStateException(
          "Data dir " + dataDir + " is in use by another embedded Cassandra (" + LOCK_FILE + ")");
    }
    return lock;
  }

  /** Returns {cql, storage, jmx}; a configured non-zero port must be free, 0 picks a free one. */
  private static int[] choosePorts(InetAddress address, int cql, int storage) throws IOException {
    List<ServerSocket> held = new ArrayList<>();
    try {
      int[] ports = new int[3];
      int[] wanted = {cql, storage, 0};
      String[] names = {"CQL", "storage", "JMX"};
      for (int i = 0; i < wanted.length; i++) {
        ServerSocket socket = new ServerSocket();
        try {
          socket.bind(new InetSocketAddress(address, wanted[i]), 1);
        } catch (IOException e) {
          socket.close();
          throw new IllegalStateException(
              names[i]
                  + " port "
                  + address.getHostAddress()
                  + ":"
                  + wanted[i]
                  + " is already in use (another Cassandra running?); configure another port or 0",
              e);
        }
        held.add(socket);
        ports[i] = socket.getLocalPort();
      }
      return ports;
    } finally {
      for (ServerSocket socket : held) {
        socket.close();
      }
    }
  }

  /** Copies {@link CassandraChildMain}'s class file, and only it, to the child's classpath. */
  private static Path installChildMain(Layout layout) throws IOException {
    Path launcherDir = layout.conf.resolve("launcher");
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
    return launcherDir;
  }

  private static List<String> command(
      Settings settings, Path libDir, Path launcherDir, Layout layout, int jmxPort) {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("-Xms" + settings.heap());
    cmd.add("-Xmx" + settings.heap());
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
    jammAgent(libDir).ifPresent(jar -> cmd.add("-javaagent:" + jar));
    cmd.add("-Dcassandra.config=" + layout.yaml.toUri());
    cmd.add("-Dcassandra-foreground=yes");
    cmd.add("-Dcassandra.storagedir=" + layout.dataDir);
    cmd.add("-Dcassandra.logdir=" + layout.dataDir);
    cmd.add("-Dcassandra.jmx.local.port=" + jmxPort);
    cmd.add("-Dcassandra.skip_wait_for_gossip_to_settle=0");
    cmd.add("-Dcassandra.ring_delay_ms=0");
    cmd.add("-Dcassandra.superuser_setup_delay_ms=0");
    // One node, no peers to tell: skip the 2 s gossip shutdown announcement on stop.
    cmd.add("-Dcassandra.shutdown_announce_in_ms=0");
    cmd.add("-Dcassandra.triggers_dir=" + layout.triggers);
    cmd.add("-Dlogback.configurationFile=" + layout.logback.toUri());
    cmd.add("-cp");
    cmd.add(libDir.resolve("*") + java.io.File.pathSeparator + launcherDir);
    cmd.add(CassandraChildMain.class.getName());
    cmd.add(MAIN_CLASS);
    return cmd;
  }

  /** Cassandra's scripts load jamm as an agent for exact memtable sizing; use it when present. */
  private static java.util.Optional<Path> jammAgent(Path libDir) {
    try (Stream<Path> jars = Files.list(libDir)) {
      return jars.filter(p -> p.getFileName().toString().matches("jamm-.*\\.jar")).findFirst();
    } catch (IOException e) {
      return java.util.Optional.empty();
    }
  }

  static String cassandraYaml(Settings settings, Layout layout, int cqlPort, int storagePort) {
    String host = settings.host();
    return String.join(
        "\n",
        "# Generated by DCloud's EmbeddedCassandra at every start: edits are overwritten.",
        "cluster_name: 'DCloud embedded'",
        "num_tokens: 16",
        "partitioner: org.apache.cassandra.dht.Murmur3Partitioner",
        "endpoint_snitch: SimpleSnitch",
        "seed_provider:",
        "  - class_name: org.apache.cassandra.locator.SimpleSeedProvider",
        "    parameters:",
        "      - seeds: " + quote(host + ":" + storagePort),
        "listen_address: " + host,
        "rpc_address: " + host,
        "storage_port: " + storagePort,
        "start_native_transport: true",
        "native_transport_port: " + cqlPort,
        "data_file_directories:",
        "  - " + quote(layout.data.toString()),
        "commitlog_directory: " + quote(layout.commitlog.toString()),
        "saved_caches_directory: " + quote(layout.savedCaches.toString()),
        "hints_directory: " + quote(layout.hints.toString()),
        "cdc_raw_directory: " + quote(layout.cdcRaw.toString()),
        "commitlog_sync: periodic",
        "commitlog_sync_period: 10000ms",
        "authenticator:",
        "  class_name: org.apache.cassandra.auth.AllowAllAuthenticator",
        "authorizer:",
        "  class_name: org.apache.cassandra.auth.AllowAllAuthorizer",
        "role_manager:",
        "  class_name: org.apache.cassandra.auth.CassandraRoleManager",
        "network_authorizer:",
        "  class_name: org.apache.cassandra.auth.AllowAllNetworkAuthorizer",
        // A small machine and one writer: few threads.
        "concurrent_reads: 8",
        "concurrent_writes: 8",
        "concurrent_counter_writes: 4",
        "concurrent_materialized_view_writes: 2",
        "concurrent_compactors: 1",
        "memtable_flush_writers: 1",
        // A fresh single node that never meets a 4.x node: full 5.0 storage format from the start.
        "storage_compatibility_mode: NONE",
        "");
  }

  static String logbackXml(Path logFile) {
    String file = xmlEscape(logFile.toString());
    String rolled = xmlEscape(logFile + ".%i.zip");
    return String.join(
        "\n",
        "<!-- Generated by DCloud's EmbeddedCassandra at every start: edits are overwritten. -->",
        "<configuration scan=\"false\">",
        "  <appender name=\"FILE\" class=\"ch.qos.logback.core.rolling.RollingFileAppender\">",
        "    <file>" + file + "</file>",
        "    <rollingPolicy class=\"ch.qos.logback.core.rolling.FixedWindowRollingPolicy\">",
        "      <fileNamePattern>" + rolled + "</fileNamePattern>",
        "      <minIndex>1</minIndex>",
        "      <maxIndex>3</maxIndex>",
        "    </rollingPolicy>",
        "    <triggeringPolicy"
            + " class=\"ch.qos.logback.core.rolling.SizeBasedTriggeringPolicy\">",
        "      <maxFileSize>20MB</maxFileSize>",
        "    </triggeringPolicy>",
        "    <encoder>",
        "      <pattern>%d{ISO8601} %-5level [%thread] %logger{36} - %msg%n</pattern>",
        "    </encoder>",
        "  </appender>",
        "  <logger name=\"io.netty\" level=\"WARN\"/>",
        "  <logger name=\"net.openhft\" level=\"WARN\"/>",
        "  <logger name=\"com.datastax\" level=\"WARN\"/>",
        "  <logger name=\"org.apache.cassandra.config\" level=\"WARN\"/>",
        "  <logger name=\"org.apache.cassandra.utils.SigarLibrary\" level=\"WARN\"/>",
        "  <logger name=\"org.apache.cassandra.db.ColumnFamilyStore\" level=\"WARN\"/>",
        "  <logger name=\"org.apache.cassandra.db.memtable\" level=\"WARN\"/>",
        "  <logger name=\"org.apache.cassandra.io.sstable\" level=\"WARN\"/>",
        "  <logger name=\"org.apache.cassandra.db.lifecycle\" level=\"WARN\"/>",
        "  <logger name=\"org.apache.cassandra.db.compaction\" level=\"WARN\"/>",
        "  <logger name=\"org.apache.cassandra.db.SystemKeyspaceMigrator41\" level=\"WARN\"/>",
        "  <root level=\"INFO\">",
        "    <appender-ref ref=\"FILE\"/>",
        "  </root>",
        "</configuration>",
        "");
  }

  private static String quote(String value) {
    return "'" + value.replace("'", "''") + "'";
  }

  private static String xmlEscape(String value) {
    return value
        .replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace("\"", "&quot;");
  }

  private static void awaitReady(
      Process process, InetSocketAddress cql, Duration timeout, Layout layout)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      if (!process.isAlive()) {
        throw new StartException(
            "Embedded Cassandra exited with code "
                + process.exitValue()
                + " before its CQL port "
                + cql.getPort()
                + " opened"
                + logTails(layout),
            null);
      }
      if (accepts(cql)) {
        return;
      }
      if (System.nanoTime() - deadline >= 0) {
        throw new StartException(
            "Embedded Cassandra did not open its CQL port "
                + cql.getPort()
                + " within "
                + timeout
                + logTails(layout),
            null);
      }
      // Waits for the next poll, or returns at once if the child dies.
      process.waitFor(POLL_INTERVAL.toMillis(), TimeUnit.MILLISECONDS);
    }
  }

  private static boolean accepts(InetSocketAddress address) {
    try (Socket socket = new Socket()) {
      socket.connect(address, (int) CONNECT_TIMEOUT.toMillis());
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  // ---------------------------------------------------------------------------------------------
  // stopping

  private static void stop(Process process, Duration drainTimeout) {
    if (!process.isAlive()) {
      return;
    }
    process.destroy(); // SIGTERM: Cassandra's shutdown hook drains
    try {
      if (!process.waitFor(drainTimeout.toMillis(), TimeUnit.MILLISECONDS)) {
        log.warn(
            "Embedded Cassandra (pid {}) did not stop within {}: killing it",
            process.pid(),
            drainTimeout);
        kill(process);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      kill(process);
    }
  }

  private static void kill(Process process) {
    process.destroyForcibly();
    try {
      if (!process.waitFor(KILL_WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
        log.error("Embedded Cassandra (pid {}) survived SIGKILL for {}", process.pid(), KILL_WAIT);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static void removeHook(Thread hook) {
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException e) {
      // the JVM is already shutting down: the hook is running or about to
    }
  }

  private static void release(FileLock lock, FileChannel channel) {
    try {
      if (lock != null) {
        lock.release();
      }
      if (channel != null) {
        channel.close();
      }
    } catch (IOException e) {
      log.warn("Could not release {}: {}", LOCK_FILE, e.toString());
    }
  }

  // ---------------------------------------------------------------------------------------------
  // diagnostics

  private static String logTails(Layout layout) {
    return "\n--- last "
        + LOG_TAIL_LINES
        + " lines of "
        + layout.log
        + " ---\n"
        + tail(layout.log, LOG_TAIL_LINES)
        + "\n--- last "
        + LOG_TAIL_LINES
        + " lines of "
        + layout.console
        + " (JVM output) ---\n"
        + tail(layout.console, LOG_TAIL_LINES);
  }

  /** The last {@code lines} lines of a file, reading at most its last 64 KiB. */
  static String tail(Path file, int lines) {
    if (!Files.isRegularFile(file)) {
      return "(no such file)";
    }
    try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "r")) {
      long length = raf.length();
      int size = (int) Math.min(length, 64 * 1024);
      byte[] bytes = new byte[size];
      raf.seek(length - size);
      raf.readFully(bytes);
      List<String> all = Arrays.asList(new String(bytes, StandardCharsets.UTF_8).split("\\R"));
      return all.subList(Math.max(0, all.size() - lines), all.size()).stream()
          .collect(Collectors.joining("\n"));
    } catch (IOException e) {
      return "(unreadable: " + e + ")";
    }
  }
}
