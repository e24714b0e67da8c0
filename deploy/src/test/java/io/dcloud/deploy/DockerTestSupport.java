package io.dcloud.deploy;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.api.command.InspectVolumeResponse;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.model.Container;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.dcloud.contracts.EnvironmentNames;
import io.dcloud.deploy.ContainerRuntime.ContainerInfo;
import io.dcloud.deploy.ContainerRuntime.ContainerSpec;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What integration tests against the real engine share (this module's and other modules' through
 * the test-jar): a {@link DockerRuntime} from the reference config, the busybox test image, names
 * and labels unique to one test run, bounded waits on container state, raw inspect, and cleanup
 * of everything labelled with the run's id.
 *
 * <pre>{@code
 * static DockerTestSupport docker;
 * @BeforeAll static void up() { docker = DockerTestSupport.start(); }
 * @AfterAll static void down() { docker.close(); }
 * }</pre>
 */
public final class DockerTestSupport implements AutoCloseable, AfterAllCallback {

  private static final Logger log = LoggerFactory.getLogger(DockerTestSupport.class);

  /** Every container and volume a test makes carries {@code dcloud.test=<run id>}. */
  public static final String TEST_LABEL = "dcloud.test";
  /** How often {@link #awaitContainer} looks at the engine. */
  public static final Duration POLL_INTERVAL = Duration.ofMillis(100);
  /** Default bound of {@link #awaitContainer}: generous for a loaded CI machine. */
  public static final Duration STATE_TIMEOUT = Duration.ofSeconds(30);
  public static final long TEST_NANO_CPUS = 500_000_000L;
  public static final long TEST_MEMORY_BYTES = 64L * 1024 * 1024;
  public static final long TEST_PIDS_LIMIT = 64;

  private final DockerRuntime runtime;
  private final String runId;
  private final List<String> images = new CopyOnWriteArrayList<>();

  private DockerTestSupport(DockerRuntime runtime, String runId) {
    this.runtime = runtime;
    this.runId = runId;
  }

  /** A runtime on the local engine with the module's reference settings, and the busybox image. */
  public static DockerTestSupport start() {
    return start(ConfigFactory.load().getConfig("dcloud.deploy"));
  }

  public static DockerTestSupport start(Config deployConfig) {
    quietTransportLogging();
    DockerRuntime runtime = DockerRuntime.create(deployConfig);
    DockerTestSupport support = new DockerTestSupport(runtime, UUID.randomUUID().toString().substring(0, 8));
    TestImages.ensureBusybox(runtime);
    return support;
  }

  public DockerRuntime runtime() {
    return runtime;
  }

  public DockerClient docker() {
    return runtime.dockerClient();
  }

  public String runId() {
    return runId;
  }

  /** A container, volume or image name unique to this run. */
  public String name(String suffix) {
    return "dcloud-test-" + runId + "-" + suffix;
  }

  /** An owner name unique to this run: its tenant network is removed in {@link #close()}. */
  public String tenant(String owner) {
    return owner + "-" + runId;
  }

  /** The labels DCloud puts on a container, plus this run's test label. */
  public Map<String, String> labels(String env, String node) {
    Map<String, String> labels = new LinkedHashMap<>();
    labels.put(EnvironmentNames.ENV_LABEL, env);
    labels.put(EnvironmentNames.NODE_LABEL, node);
    labels.put(TEST_LABEL, runId);
    return Map.copyOf(labels);
  }

  /** A small busybox container spec: half a CPU, 64 MiB, 64 processes, no ports or volumes. */
  public ContainerSpec busyboxSpec(String suffix, List<String> command) {
    String name = name(suffix);
    return new ContainerSpec(name, TestImages.BUSYBOX, command, Map.of(), TEST_NANO_CPUS, TEST_MEMORY_BYTES,
        TEST_PIDS_LIMIT, List.of(), List.of(), List.of(), labels(name, name("node")), null);
  }

  /** Creates and starts; returns the id. */
  public String run(ContainerSpec spec) {
    String id = runtime.create(spec);
    runtime.start(id);
    return id;
  }

  /** The engine's full inspect document (HostConfig, State, NetworkSettings ...). */
  public InspectContainerResponse inspectRaw(String containerId) {
    return docker().inspectContainerCmd(containerId).exec();
  }

  public Optional<InspectVolumeResponse> inspectVolume(String name) {
    try {
      return Optional.of(docker().inspectVolumeCmd(name).exec());
    } catch (NotFoundException e) {
      return Optional.empty();
    }
  }

  /** Waits (bounded, polling the engine) until the container's state matches. */
  public ContainerInfo awaitContainer(String containerId, Predicate<ContainerInfo> condition) {
    return awaitContainer(containerId, condition, STATE_TIMEOUT);
  }

  public ContainerInfo awaitContainer(String containerId, Predicate<ContainerInfo> condition, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    Optional<ContainerInfo> last = Optional.empty();
    while (System.nanoTime() < deadline) {
      last = runtime.inspect(containerId);
      if (last.isPresent() && condition.test(last.get())) {
        return last.get();
      }
      pause();
    }
    throw new AssertionError("container " + containerId + " did not reach the expected state within " + timeout
        + "; last seen: " + last.map(Object::toString).orElse("absent"));
  }

  /** A container's whole log, read to its end (of one that has exited, or all it wrote so far). */
  public List<String> logLines(String containerId) throws InterruptedException {
    return logLines(containerId, null, false);
  }

  /** The same, from {@code since} (null: all), each line after its time when {@code timestamps}. */
  public List<String> logLines(String containerId, Instant since, boolean timestamps) throws InterruptedException {
    List<String> lines = new CopyOnWriteArrayList<>();
    CountDownLatch ended = new CountDownLatch(1);
    runtime.logs(containerId, -1, false, since, timestamps, lines::add, ended::countDown);
    if (!ended.await(STATE_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
      throw new AssertionError("the log of container " + containerId + " did not end within " + STATE_TIMEOUT + "; read: " + lines);
    }
    return lines;
  }

  /** Waits until the container has exited; returns its final info. */
  public ContainerInfo awaitExited(String containerId) {
    return awaitContainer(containerId, info -> !info.running() && "exited".equals(info.state()));
  }

  /** Remembers an image tag to remove in {@link #close()}. */
  public String trackImage(String tag) {
    images.add(tag);
    return tag;
  }

  /** A port free on 127.0.0.1 right now (tests publish only on loopback). */
  public static int freeLoopbackPort() {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Waits (bounded, asking again on refusal or an empty answer) until an HTTP server at host:port
   * answers, and returns its status line. A container is "running" before its server listens.
   */
  public String awaitHttpAnswer(String host, int port) {
    long deadline = System.nanoTime() + STATE_TIMEOUT.toNanos();
    IOException last = null;
    while (System.nanoTime() < deadline) {
      try (Socket socket = new Socket(host, port);
          var reader = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII))) {
        socket.setSoTimeout((int) STATE_TIMEOUT.toMillis());
        socket.getOutputStream().write("GET / HTTP/1.0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        String statusLine = reader.readLine();
        if (statusLine != null) {
          return statusLine;
        }
      } catch (IOException e) {
        last = e;
      }
      pause();
    }
    throw new AssertionError("nothing answered HTTP at " + host + ":" + port + " within " + STATE_TIMEOUT
        + (last == null ? "" : "; last: " + last));
  }

  /** Removes every container and volume labelled with this run, and the tracked images. */
  @Override
  public void afterAll(ExtensionContext context) {
    close();
  }

  @Override
  public void close() {
    try {
      DockerClient docker = docker();
      String filter = TEST_LABEL + "=" + runId;
      List<Container> containers =
          docker.listContainersCmd().withShowAll(true).withLabelFilter(Map.of(TEST_LABEL, runId)).exec();
      containers.forEach(c -> quietly(() -> docker.removeContainerCmd(c.getId()).withForce(true).withRemoveVolumes(true).exec()));
      var volumes = docker.listVolumesCmd().withFilter("label", List.of(filter)).exec().getVolumes();
      (volumes == null ? List.<InspectVolumeResponse>of() : volumes)
          .forEach(v -> quietly(() -> docker.removeVolumeCmd(v.getName()).exec()));
      new ArrayList<>(images).forEach(tag -> quietly(() -> docker.removeImageCmd(tag).withForce(true).exec()));
      // Tenant networks of owners named after this run (see tenant()); the shared network stays.
      var networks = docker.listNetworksCmd().withFilter("label", List.of(TenantNetworks.TENANT_LABEL)).exec().stream()
          .filter(n -> n.getLabels() != null && String.valueOf(n.getLabels().get(TenantNetworks.TENANT_LABEL)).endsWith(runId))
          .toList();
      networks.forEach(n -> quietly(() -> docker.removeNetworkCmd(n.getId()).exec()));
      log.info("test run {} cleaned up: {} containers, {} volumes, {} images, {} networks", runId, containers.size(),
          volumes == null ? 0 : volumes.size(), images.size(), networks.size());
    } finally {
      runtime.close();
    }
  }

  private static void quietly(Runnable cleanup) {
    try {
      cleanup.run();
    } catch (NotFoundException alreadyGone) {
      // fine
    } catch (RuntimeException e) {
      log.warn("test cleanup step failed: {}", e.getMessage());
    }
  }

  private static void pause() {
    try {
      Thread.sleep(POLL_INTERVAL.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted while waiting for Docker", e);
    }
  }

  /**
   * Without a logback configuration every logger is at DEBUG, and Apache HttpClient's wire log then
   * dumps every byte sent to the engine (whole image archives). Loggers someone configured are
   * left alone. (No logback-test.xml here: it would travel in the test-jar into other modules.)
   */
  private static void quietTransportLogging() {
    for (String name : List.of("org.apache.hc", "com.github.dockerjava")) {
      if (LoggerFactory.getLogger(name) instanceof ch.qos.logback.classic.Logger logger && logger.getLevel() == null) {
        logger.setLevel(ch.qos.logback.classic.Level.INFO);
      }
    }
  }
}
