package io.dcloud.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.ConfigFactory;
import io.dcloud.contracts.EnvironmentNames;
import io.dcloud.deploy.ContainerRuntime.ContainerSpec;
import io.dcloud.deploy.ContainerRuntime.ExecResult;
import java.io.Closeable;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Containers know their host as {@code dcloud-gateway} (their network's gateway, where the node
 * relays the broker), and the node hears of every such gateway before a container can use it.
 */
@Tag("docker")
class DockerRuntimeGatewayTest {

  private static final Duration EXEC_TIMEOUT = Duration.ofSeconds(30);
  private static final long MAX_OUTPUT = 64 * 1024;

  @RegisterExtension
  static final DockerTestSupport docker = DockerTestSupport.start();

  private static final DockerRuntime runtime = docker.runtime();

  @Test
  void aContainerResolvesDcloudGatewayToItsNetworksGateway() {
    String tenant = docker.tenant("gw");
    String id = docker.run(withTenant(docker.busyboxSpec("gw-hosts", List.of("sleep", "infinity")), tenant));

    String gateway = engineGateway(id, TenantNetworks.name(runtime.settings().network(), tenant));
    ExecResult hosts = runtime.exec(id, List.of("cat", "/etc/hosts"), null, EXEC_TIMEOUT, MAX_OUTPUT);

    assertThat(gateway).as("the network's IPv4 gateway").matches("\\d+\\.\\d+\\.\\d+\\.\\d+");
    assertThat(hosts.exitCode()).isZero();
    assertThat(hosts.stdout().lines().map(line -> List.of(line.trim().split("\\s+"))))
        .contains(List.of(gateway, EnvironmentNames.GATEWAY_HOST));
  }

  @Test
  void theGatewayOfANewNetworkIsToldBeforeItsFirstContainerExists() throws Exception {
    String tenant = docker.tenant("fresh");
    String network = TenantNetworks.name(runtime.settings().network(), tenant);
    List<String> told = new CopyOnWriteArrayList<>();
    List<Boolean> containerExistedWhenTold = new CopyOnWriteArrayList<>();
    ContainerSpec spec = withTenant(docker.busyboxSpec("gw-fresh", List.of("sleep", "infinity")), tenant);

    try (Closeable watch = runtime.watchNetworkGateways(gateway -> {
      told.add(gateway);
      containerExistedWhenTold.add(runtime.inspect(spec.name()).isPresent());
    })) {
      List<String> existing = List.copyOf(told);
      String gateway = engineGateway(docker.run(spec), network);

      assertThat(existing).as("told at once: the networks that exist").doesNotContain(gateway);
      assertThat(told).contains(gateway);
      assertThat(containerExistedWhenTold.get(told.indexOf(gateway))).as("container existed when told").isFalse();
    }
    int toldBefore = told.size();
    docker.run(withTenant(docker.busyboxSpec("gw-after-close", List.of("sleep", "infinity")), tenant));
    assertThat(told).as("nothing told after close").hasSize(toldBefore);
  }

  @Test
  void theGatewaysOfExistingNetworksAreToldAtOnce() throws Exception {
    String tenant = docker.tenant("known");
    String id = docker.run(withTenant(docker.busyboxSpec("gw-known", List.of("sleep", "infinity")), tenant));
    String gateway = engineGateway(id, TenantNetworks.name(runtime.settings().network(), tenant));

    // Another runtime on the same engine stands for a restarted node adopting its containers.
    try (DockerRuntime restarted = DockerRuntime.create(ConfigFactory.load().getConfig("dcloud.deploy"))) {
      List<String> told = new CopyOnWriteArrayList<>();
      restarted.watchNetworkGateways(told::add).close();

      assertThat(told).contains(gateway).doesNotHaveDuplicates();
    }
  }

  /** The gateway the engine gave the container on the network (not DCloud's reading of the network's IPAM). */
  private static String engineGateway(String containerId, String network) {
    return docker.inspectRaw(containerId).getNetworkSettings().getNetworks().get(network).getGateway();
  }

  private static ContainerSpec withTenant(ContainerSpec spec, String tenant) {
    return new ContainerSpec(spec.name(), spec.image(), spec.command(), spec.env(), spec.nanoCpus(), spec.memoryBytes(),
        spec.pidsLimit(), spec.gpuUuids(), spec.ports(), spec.volumes(), spec.labels(), tenant);
  }
}
