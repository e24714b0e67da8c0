package io.dcloud.broker;

import io.dcloud.testing.Requirements;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;

/**
 * A real Eclipse Mosquitto for tests, as DCloud's dev starts it: on 127.0.0.1 at a free port, no
 * anonymous clients, the dynamic-security plugin initialised with an admin account of a random
 * password. A child process of the test JVM, stopped and its directory deleted on close.
 */
public final class MosquittoBroker implements AutoCloseable {
  public static final String MOSQUITTO = "/usr/sbin/mosquitto";
  public static final String CTRL = "/usr/bin/mosquitto_ctrl";
  public static final String PLUGIN = "/usr/lib/x86_64-linux-gnu/mosquitto_dynamic_security.so";
  public static final String ADMIN = "dcloud-admin";
  private static final Duration START_TIMEOUT = Duration.ofSeconds(20);
  /** How often the start looks for the broker's socket. */
  private static final Duration POLL = Duration.ofMillis(50);

  private final Path dir;
  private final int port;
  private final int relayPort;
  private final String adminPassword;
  private final Process process;

  private MosquittoBroker(Path dir, int port, String adminPassword, Process process) throws IOException {
    this.dir = dir;
    this.port = port;
    this.relayPort = freePort();
    this.adminPassword = adminPassword;
    this.process = process;
  }

  /** Whether Debian's mosquitto (with its dynamic-security plugin) is installed. */
  public static boolean installed() {
    return Files.isExecutable(Path.of(MOSQUITTO)) && Files.isExecutable(Path.of(CTRL)) && Files.exists(Path.of(PLUGIN));
  }

  /** Starts one; skips the test (fails it under CI) when Mosquitto is not installed. */
  public static MosquittoBroker start() {
    try {
      return start(freePort(), HexFormat.of().formatHex(new SecureRandom().generateSeed(12)));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A broker on {@code port} (from {@link #freePort}) whose admin's password is {@code password}: one that comes up late. */
  public static MosquittoBroker start(int port, String password) {
    Requirements.requireOrSkip(installed(), () -> "Mosquitto is not installed (apt-get install mosquitto mosquitto-clients)");
    try {
      Path dir = Files.createTempDirectory("dcloud-mosquitto-");
      run(List.of(CTRL, "dynsec", "init", dir.resolve("dynamic-security.json").toString(), ADMIN, password), dir);
      Files.writeString(dir.resolve("mosquitto.conf"), String.join("\n",
          "listener " + port + " 127.0.0.1",
          // Started as root, Mosquitto would switch to the user "mosquitto", who cannot read this private directory.
          "user " + System.getProperty("user.name"),
          "allow_anonymous false",
          "per_listener_settings false",
          "plugin " + PLUGIN,
          "plugin_opt_config_file " + dir.resolve("dynamic-security.json"),
          "persistence true",
          // As DCloud's dev broker: the ingest acknowledges a reading only once it is stored, and
          // Mosquitto sends a client at most this many unacknowledged QoS 1 messages (20 by default).
          "max_inflight_messages 1000",
          // What a persistent session (the ingest's) may have queued while it is away.
          "max_queued_messages 100000",
          "persistence_location " + dir + "/",
          "log_dest file " + dir.resolve("mosquitto.log"),
          ""));
      Process process = new ProcessBuilder(MOSQUITTO, "-c", dir.resolve("mosquitto.conf").toString())
          .redirectErrorStream(true).redirectOutput(dir.resolve("stdout.log").toFile()).start();
      MosquittoBroker broker = new MosquittoBroker(dir, port, password, process);
      broker.awaitListening();
      return broker;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private void awaitListening() throws IOException {
    Instant deadline = Instant.now().plus(START_TIMEOUT);
    while (Instant.now().isBefore(deadline)) {
      if (!process.isAlive()) {
        throw new IllegalStateException("mosquitto exited: " + log());
      }
      try (Socket socket = new Socket()) {
        socket.connect(new InetSocketAddress("127.0.0.1", port), 200);
        return;
      } catch (IOException notYet) {
        // Polled until the deadline: the broker opens its socket shortly after it starts.
        LockSupport.parkNanos(POLL.toNanos());
      }
    }
    close();
    throw new IllegalStateException("mosquitto did not listen on " + port + " within " + START_TIMEOUT);
  }

  private static void run(List<String> command, Path dir) throws IOException {
    Process process = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
    try {
      String output = new String(process.getInputStream().readAllBytes());
      if (!process.waitFor(20, TimeUnit.SECONDS) || process.exitValue() != 0) {
        throw new IllegalStateException(command + " failed: " + output);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }

  public String host() {
    return "127.0.0.1";
  }

  public int port() {
    return port;
  }

  public String url() {
    return "tcp://127.0.0.1:" + port;
  }

  public String adminUsername() {
    return ADMIN;
  }

  public String adminPassword() {
    return adminPassword;
  }

  /**
   * The {@code dcloud.broker.*} settings that point DCloud at this broker, with a relay port of its
   * own: the first DCloud on a host to bind a network's gateway address relays for every DCloud
   * there, so a developer's {@code ./dcloud dev} on 1883 would otherwise take the test's apps to
   * its own broker.
   */
  public Map<String, Object> config() {
    return Map.of(
        "dcloud.broker.host", host(),
        "dcloud.broker.port", port,
        "dcloud.broker.admin-username", ADMIN,
        "dcloud.broker.admin-password", adminPassword,
        "dcloud.broker.relay-port", relayPort);
  }

  /** The broker's log so far (for a failing test's message). */
  public String log() {
    try {
      Path log = dir.resolve("mosquitto.log");
      return Files.exists(log) ? Files.readString(log) : Files.readString(dir.resolve("stdout.log"));
    } catch (IOException e) {
      return "(no log: " + e.getMessage() + ")";
    }
  }

  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    try (Stream<Path> files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
    } catch (IOException e) {
      // A leftover temp directory is harmless; the broker itself is stopped.
    }
  }
}
