package io.dcloud.persistence;

import com.typesafe.config.Config;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An Apache Cassandra 5.0 node for development and tests, run in a child JVM: a cluster of one, or
 * (with {@link Settings#seeds()}) a member of a cluster of several on one machine or a LAN.
 *
 * <p>The child runs {@code org.apache.cassandra.service.CassandraDaemon} on its own classpath
 * ({@code <libDir>/*}, made by the {@code cassandra-dist} module): Cassandra's Netty, Guava,
 * Jackson and Logback never meet DCloud's. Everything it writes — {@code cassandra.yaml}, {@code
 * logback.xml}, data, commit log, {@code cassandra.log} — lives under the data directory ({@link
 * DataLayout}), so data survives a restart on the same directory.
 *
 * <p>Clients must log in (PasswordAuthenticator): the only role that may is {@link
 * Settings#credentials()}, created on first start ({@link CassandraRoles}).
 *
 * <p>{@link #start} blocks until the CQL port accepts TCP connections ({@link CqlReadiness}) and
 * that role logs in.
 * {@link #close} sends SIGTERM (Cassandra drains), waits up to the drain timeout, then kills. The
 * child never outlives this JVM:
 *
 * <ul>
 *   <li>a JVM shutdown hook registered by {@link #start} (and removed by {@link #close}) stops it the
 *       same way on a normal exit, {@code System.exit} or SIGTERM/SIGINT of this JVM ({@link
 *       CassandraProcess});
 *   <li>for {@code kill -9}, when no hook runs, the child's main ({@link CassandraChildMain}) watches
 *       the stdin pipe this JVM holds open and exits when the kernel closes it.
 * </ul>
 *
 * <p>A lock file in the data directory ({@value DataLayout#LOCK_FILE}) stops a second instance from
 * using the same directory at the same time ({@link DataDirLock}).
 */
public final class EmbeddedCassandra implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(EmbeddedCassandra.class);

  /** What Cassandra says when it exits because no seed answered in time. */
  private static final List<String> SEEDS_UNHEARD =
      List.of("Unable to gossip with any peers", "Unable to contact any seeds");

/** Where and how to run the embedded Cassandra; see {@code dcloud.cassandra.embedded}. */
  public record Settings(
      Path libDir,
      Path dataDir,
      String host,
      int cqlPort,
      int storagePort,
      String heap,
      Duration startupTimeout,
      Duration drainTimeout,
      CassandraCredentials credentials,
      List<String> seeds,
      Duration joinRingDelay) {

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
      Objects.requireNonNull(credentials, "credentials");
      seeds = List.copyOf(Objects.requireNonNull(seeds, "seeds"));
      Objects.requireNonNull(joinRingDelay, "joinRingDelay");
      if (joinRingDelay.isNegative()) {
        throw new IllegalArgumentException("joinRingDelay must not be negative: " + joinRingDelay);
      }
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
     * Reads the {@value #CONFIG_PATH} section of an application's (root) config, and the role
     * DCloud logs in as ({@link CassandraCredentials#fromConfig}: this may generate its password
     * file). Relative paths are resolved against the working directory when Cassandra starts.
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
          c.getDuration("drain-timeout"),
          CassandraCredentials.fromConfig(config),
          c.getStringList("seeds"),
          c.getDuration("join-ring-delay"));
    }

    public Settings withDataDir(Path newDataDir) {
      return new Settings(
          libDir, newDataDir, host, cqlPort, storagePort, heap, startupTimeout, drainTimeout, credentials, seeds, joinRingDelay);
    }

    /** Ports 0 mean "pick a free port at start". */
    public Settings withPorts(int newCqlPort, int newStoragePort) {
      return new Settings(
          libDir, dataDir, host, newCqlPort, newStoragePort, heap, startupTimeout, drainTimeout, credentials, seeds, joinRingDelay);
    }

    /**
     * Joins the Cassandra cluster whose seeds ({@code host:storagePort}) these are, instead of
     * being a cluster of one (no seeds: itself). A node that is not among its seeds bootstraps:
     * it streams its share of the data from the others before it serves.
     */
    public Settings withSeeds(List<String> newSeeds) {
      return new Settings(
          libDir, dataDir, host, cqlPort, storagePort, heap, startupTimeout, drainTimeout, credentials, newSeeds, joinRingDelay);
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
  private final CassandraProcess child;
  private final CassandraPorts ports;
  private final DataDirLock lock;
  private final AtomicBoolean closed = new AtomicBoolean();

  private EmbeddedCassandra(
      Settings settings, CassandraProcess child, CassandraPorts ports, DataDirLock lock) {
    this.settings = settings;
    this.child = child;
    this.ports = ports;
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
    CassandraLibDir.check(libDir);
    DataLayout layout = DataLayout.create(dataDir);
    boolean freshDataDir = layout.isFresh();

    DataDirLock lock = null;
    CassandraProcess child = null;
    try {
      lock = DataDirLock.acquire(dataDir);
      InetAddress address = InetAddress.getByName(settings.host());
      CassandraPorts ports =
          CassandraPorts.choose(address, settings.cqlPort(), settings.storagePort());
      CassandraConfigFiles.write(layout, settings.host(), ports, settings.seeds());
      // A cluster of one has no ring to hear before it serves.
      Duration ringDelay = settings.seeds().isEmpty() ? Duration.ZERO : settings.joinRingDelay();
      List<String> command = ChildJvmCommand.prepare(settings.heap(), libDir, layout, ports.jmx(), ringDelay);

      log.info(
          "Starting embedded Cassandra: data dir {}, seeds {}, CQL {}:{}, storage port {}, heap {}, log {}",
          dataDir,
          settings.seeds().isEmpty() ? "none (a cluster of one)" : settings.seeds(),
          settings.host(),
          ports.cql(),
          ports.storage(),
          settings.heap(),
          layout.log());
      long startNanos = System.nanoTime();
      long deadline = startNanos + settings.startupTimeout().toNanos();
      InetSocketAddress cql = new InetSocketAddress(address, ports.cql());
      for (int attempt = 1; ; attempt++) {
        child = CassandraProcess.launch(command, layout, settings.drainTimeout());
        try {
          CqlReadiness.await(child.process(), cql, Duration.ofNanos(Math.max(0, deadline - System.nanoTime())), layout);
          break;
        } catch (StartException e) {
          if (!joinMayBeRetried(settings, child, layout, deadline)) {
            throw e;
          }
          // A seed that is not up yet, or whose first answer came after the ring delay on a busy machine:
          // Cassandra gives up for good, but a new start joins once the seed answers.
          log.warn("Embedded Cassandra heard none of its seeds {} (start {}); starting it again, until {} after the"
              + " first start", settings.seeds(), attempt, settings.startupTimeout());
          child.kill();
          child = null;
        }
      }
      // A joining node finds DCloud's role in the cluster it joined; only a new cluster makes the default one.
      boolean newCluster = freshDataDir && settings.seeds().isEmpty();
      CassandraRoles.setUp(child.process(), cql, settings.credentials(), newCluster,
          startNanos + settings.startupTimeout().toNanos(), layout);
      Duration took = Duration.ofNanos(System.nanoTime() - startNanos);
      log.info(
          "Embedded Cassandra ready on {}:{} in {} ms (pid {}, data dir {})",
          settings.host(),
          ports.cql(),
          took.toMillis(),
          child.process().pid(),
          dataDir);

      EmbeddedCassandra cassandra =
          new EmbeddedCassandra(settings.withDataDir(dataDir), child, ports, lock);
      child.reportUnexpectedExit(cassandra.closed::get, layout.log());
      return cassandra;
    } catch (IOException | RuntimeException | InterruptedException e) {
      if (e instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
      if (child != null) {
        child.kill();
      }
      if (lock != null) {
        lock.close();
      }
      if (e instanceof StartException || e instanceof IllegalStateException) {
        throw (RuntimeException) e;
      }
      throw new StartException(
          "Embedded Cassandra failed to start in " + dataDir + ": " + e + LogTails.of(layout), e);
    }
  }

  /**
   * Whether a start that failed was a joining node giving up on its seeds ("Unable to gossip with any
   * peers" before it bootstraps, "Unable to contact any seeds" after its ring delay), with time left.
   * The child's console holds only this start's output.
   */
  private static boolean joinMayBeRetried(
      Settings settings, CassandraProcess child, DataLayout layout, long deadline) {
    if (settings.seeds().isEmpty() || child.process().isAlive() || System.nanoTime() - deadline >= 0) {
      return false;
    }
    String console = LogTails.tail(layout.console(), LogTails.LINES);
    return SEEDS_UNHEARD.stream().anyMatch(console::contains);
  }

  public String host() {
    return settings.host();
  }

  /** The native (CQL) port actually in use (a free one if the settings said 0). */
  public int cqlPort() {
    return ports.cql();
  }

  /** The local JMX port (Cassandra binds it to the loopback address: {@link ChildJvmCommand}). */
  public int jmxPort() {
    return ports.jmx();
  }

  /** The role DCloud logs in as: the only one that may log in. */
  public CassandraCredentials credentials() {
    return settings.credentials();
  }

  /** The internode port actually in use. */
  public int storagePort() {
    return ports.storage();
  }

  /** {@code host:storagePort}: how other nodes name this one among their seeds. */
  public String seedAddress() {
    return settings.host() + ":" + ports.storage();
  }

  /** {@code host:port}, as {@code datastax-java-driver.basic.contact-points} expects it. */
  public String contactPoint() {
    return settings.host() + ":" + ports.cql();
  }

  public InetSocketAddress cqlAddress() {
    return new InetSocketAddress(settings.host(), ports.cql());
  }

  /** Absolute data directory. */
  public Path dataDir() {
    return settings.dataDir();
  }

  public Path logFile() {
    return settings.dataDir().resolve(DataLayout.LOG_FILE);
  }

  /** The child JVM, e.g. to watch it ({@code onExit}) or measure it. */
  public ProcessHandle process() {
    return child.process().toHandle();
  }

  public boolean isRunning() {
    return child.process().isAlive();
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
    child.stop();
    lock.close();
    Process process = child.process();
    log.info(
        "Embedded Cassandra stopped in {} ms (exit code {})",
        Duration.ofNanos(System.nanoTime() - startNanos).toMillis(),
        process.isAlive() ? "none: still running" : String.valueOf(process.exitValue()));
  }
}
