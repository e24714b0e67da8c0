package io.dcloud.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.model.ContainerNetwork;
import com.github.dockerjava.api.model.Frame;
import com.github.dockerjava.api.model.Network;
import com.sun.net.httpserver.HttpServer;
import io.dcloud.contracts.ImageRecipe;
import io.dcloud.deploy.ContainerRuntime.ContainerSpec;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Tenants apart: each owner's containers on a network of their own, no reach from a container or
 * an image build to another tenant or to the host's loopback services (where DCloud and Cassandra
 * listen by default), and logs that rotate and cut long lines. Every "unreachable" is checked
 * against a control that does reach the same server, so a broken probe cannot pass.
 */
@Tag("docker")
class DockerRuntimeIsolationTest {

  private static final Duration RUN_TIMEOUT = Duration.ofSeconds(60);
  private static final int SERVER_PORT = 8080;
  private static final String SECRET = "secret-page";
  /**
   * Prints the page's last line, or "unreachable" when the connection fails. (busybox nc, not
   * wget: the static busybox's {@code wget -T} crashes.)
   */
  private static final String PROBE =
      "out=$(printf 'GET / HTTP/1.0\\r\\n\\r\\n' | nc -w 3 %s %d 2>/dev/null | tail -n 1); echo \"${out:-unreachable}\"";

  @RegisterExtension
  static final DockerTestSupport docker = DockerTestSupport.start();

  private static final DockerRuntime runtime = docker.runtime();
  /** Stands for DCloud's own services: bound to loopback, as the gateway, the cluster port and Cassandra are. */
  private static HttpServer hostService;

  @BeforeAll
  static void startHostService() throws Exception {
    hostService = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    hostService.createContext("/", exchange -> {
      byte[] body = SECRET.getBytes(StandardCharsets.UTF_8);
      exchange.sendResponseHeaders(200, body.length);
      exchange.getResponseBody().write(body);
      exchange.close();
    });
    hostService.start();
  }

  @AfterAll
  static void stopHostService() {
    hostService.stop(0);
  }

  @Test
  void anotherTenantsContainerIsUnreachableAndTheOwnersOwnIsNot() throws Exception {
    String alice = docker.tenant("alice");
    String bob = docker.tenant("bob");
    String server = docker.run(server("alice-server", alice));
    String serverIp = ipOn(server, TenantNetworks.name(runtime.settings().network(), alice));
    awaitServing(server, serverIp);

    List<String> fromAlice = probe("alice-probe", alice, serverIp, SERVER_PORT);
    List<String> fromBob = probe("bob-probe", bob, serverIp, SERVER_PORT);

    assertThat(fromAlice).as("same tenant (control)").containsExactly(SECRET);
    assertThat(fromBob).as("other tenant").containsExactly("unreachable");
    Network network = docker.docker().inspectNetworkCmd().withNetworkId(TenantNetworks.name(runtime.settings().network(), bob)).exec();
    assertThat(network.getLabels()).containsEntry(TenantNetworks.TENANT_LABEL, bob).containsEntry("dcloud.managed", "true");
    assertThat(network.getDriver()).isEqualTo("bridge");
    assertThat(network.getOptions()).containsEntry(TenantNetworks.BRIDGE_NAME, TenantNetworks.bridge(runtime.settings().network(),
        network.getName())).containsEntry(TenantNetworks.ENABLE_ICC, "true");
  }

  @Test
  void nodesSharingAnEngineMakeATenantsNetworkOnceWhenTheyRaceForIt() throws Exception {
    // Several DCloud nodes on one machine (a test cluster) deploy the same owner's first environments at once.
    String owner = docker.tenant("racer");
    DaemonCalls calls = new DaemonCalls(runtime.settings().dockerHost());
    List<TenantNetworks> nodes = new java.util.ArrayList<>();
    List<EngineConnection> engines = new java.util.ArrayList<>();
    for (int i = 0; i < 4; i++) {
      EngineConnection engine = new EngineConnection(runtime.settings(), calls);
      engines.add(engine);
      nodes.add(new TenantNetworks(engine, calls, runtime.settings().network(), RUN_TIMEOUT));
    }
    try {
      List<java.util.concurrent.CompletableFuture<String>> made = nodes.stream()
          .map(node -> java.util.concurrent.CompletableFuture.supplyAsync(() -> node.ensure(owner)))
          .toList();
      String name = TenantNetworks.name(runtime.settings().network(), owner);
      assertThat(made.stream().map(java.util.concurrent.CompletableFuture::join).toList()).containsOnly(name);
      assertThat(docker.docker().listNetworksCmd().withNameFilter(name).exec())
          .filteredOn(network -> network.getName().equals(name)).hasSize(1);
    } finally {
      engines.forEach(EngineConnection::close);
    }
  }

  @Test
  void containersWithoutAnOwnerShareANetworkButCannotReachEachOther() throws Exception {
    String server = docker.run(server("shared-server", null));
    String network = runtime.settings().network().shared();
    String serverIp = ipOn(server, network);
    awaitServing(server, serverIp);

    assertThat(docker.inspectRaw(server).getHostConfig().getNetworkMode()).isEqualTo(network).isNotEqualTo("bridge");
    assertThat(docker.docker().inspectNetworkCmd().withNetworkId(network).exec().getOptions()).containsEntry(TenantNetworks.ENABLE_ICC, "false");
    assertThat(probe("shared-probe", null, serverIp, SERVER_PORT)).containsExactly("unreachable");
  }

  @Test
  void theHostsLoopbackServicesAreUnreachableFromATenantContainer() throws Exception {
    int port = hostService.getAddress().getPort();
    String probeId = docker.run(withTenant(docker.busyboxSpec("host-probe", List.of("sleep", "infinity")), docker.tenant("carol")));
    String gateway = gatewayOn(probeId, TenantNetworks.name(runtime.settings().network(), docker.tenant("carol")));

    // The host is the bridge's gateway; loopback inside the container is the container's own.
    List<String> viaGateway = probe("gw-probe", docker.tenant("carol"), gateway, port);
    List<String> viaLoopback = probe("lo-probe", docker.tenant("carol"), "127.0.0.1", port);

    assertThat(fetchOnHost(port)).as("control: the service answers on the host").isEqualTo(SECRET);
    assertThat(viaGateway).containsExactly("unreachable");
    assertThat(viaLoopback).containsExactly("unreachable");
  }

  @Test
  void anImageBuildCannotReachTheHostsLoopbackServices() {
    int port = hostService.getAddress().getPort();
    String tag = docker.trackImage("dcloud-test/probe:" + docker.runId());
    String dockerfile = "FROM " + TestImages.BUSYBOX + "\n"
        + "RUN echo \"probe: $(" + PROBE.formatted("127.0.0.1", port) + ")\"\n";
    List<String> progress = new CopyOnWriteArrayList<>();

    runtime.ensureImage(new ImageRecipe(tag, TestImages.BUSYBOX, dockerfile), progress::add);

    assertThat(fetchOnHost(port)).as("control: the service answers on the host").isEqualTo(SECRET);
    assertThat(progress).contains("probe: unreachable").doesNotContain("probe: " + SECRET);
  }

  @Test
  void logsRotateAndALongLineIsCut() throws Exception {
    // 40000 characters without a newline, then a short line.
    String id = docker.run(docker.busyboxSpec("long-line", List.of("sh", "-c", "head -c 40000 /dev/zero | tr '\\0' a; echo; echo done")));
    docker.awaitExited(id);
    assertThat(docker.logLines(id)).containsExactly("a".repeat(16 * 1024) + LogLines.TRUNCATED, "done");
    var logConfig = docker.inspectRaw(id).getHostConfig().getLogConfig();
    assertThat(logConfig.getType().getType()).isEqualTo("json-file");
    assertThat(logConfig.getConfig()).containsEntry("max-size", "10m").containsEntry("max-file", "3");
  }

  private static ContainerSpec server(String suffix, String tenant) {
    String serve = "mkdir -p /tmp/www && echo " + SECRET + " > /tmp/www/index.html && exec httpd -f -p " + SERVER_PORT + " -h /tmp/www";
    return withTenant(docker.busyboxSpec(suffix, List.of("sh", "-c", serve)), tenant);
  }

  /** Waits (bounded) until the server answers on its address, asked from inside its own container. */
  private static void awaitServing(String serverId, String ip) throws Exception {
    long deadline = System.nanoTime() + RUN_TIMEOUT.toNanos();
    String last = "";
    while (System.nanoTime() < deadline) {
      last = exec(serverId, PROBE.formatted(ip, SERVER_PORT));
      if (last.contains(SECRET)) {
        return;
      }
      Thread.sleep(DockerTestSupport.POLL_INTERVAL.toMillis());
    }
    throw new AssertionError("the server at " + ip + " did not answer within " + RUN_TIMEOUT + ": " + last);
  }

  private static String exec(String containerId, String command) throws Exception {
    String execId = docker.docker().execCreateCmd(containerId).withCmd("sh", "-c", command)
        .withAttachStdout(true).withAttachStderr(true).exec().getId();
    StringBuilder out = new StringBuilder();
    docker.docker().execStartCmd(execId).exec(new ResultCallback.Adapter<Frame>() {
      @Override
      public void onNext(Frame frame) {
        out.append(new String(frame.getPayload(), StandardCharsets.UTF_8));
      }
    }).awaitCompletion(RUN_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    return out.toString();
  }

  /** The probe's output, run to its end in a container of {@code tenant}. */
  private static List<String> probe(String suffix, String tenant, String host, int port) throws Exception {
    return runToEnd(withTenant(docker.busyboxSpec(suffix, List.of("sh", "-c", PROBE.formatted(host, port))), tenant));
  }

  private static List<String> runToEnd(ContainerSpec spec) throws Exception {
    String id = docker.run(spec);
    docker.awaitContainer(id, info -> "exited".equals(info.state()), RUN_TIMEOUT);
    return docker.logLines(id);
  }

  private static ContainerSpec withTenant(ContainerSpec s, String tenant) {
    return new ContainerSpec(s.name(), s.image(), s.command(), s.env(), s.nanoCpus(), s.memoryBytes(), s.pidsLimit(),
        s.gpuUuids(), s.ports(), s.volumes(), s.labels(), tenant);
  }

  private static String ipOn(String containerId, String network) {
    return attachment(containerId, network).getIpAddress();
  }

  private static String gatewayOn(String containerId, String network) {
    return attachment(containerId, network).getGateway();
  }

  private static ContainerNetwork attachment(String containerId, String network) {
    Map<String, ContainerNetwork> networks = docker.inspectRaw(containerId).getNetworkSettings().getNetworks();
    assertThat(networks).containsOnlyKeys(network);
    return networks.get(network);
  }

  private static String fetchOnHost(int port) {
    try (var in = new java.net.URL("http://127.0.0.1:" + port + "/").openStream()) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (java.io.IOException e) {
      throw new AssertionError(e);
    }
  }
}
