package io.dcloud.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.api.model.Capability;
import com.github.dockerjava.api.model.DeviceRequest;
import com.github.dockerjava.api.model.ExposedPort;
import com.github.dockerjava.api.model.HostConfig;
import com.github.dockerjava.api.model.Ports;
import com.typesafe.config.ConfigFactory;
import io.dcloud.deploy.ContainerRuntime.ContainerInfo;
import io.dcloud.deploy.ContainerRuntime.ContainerSpec;
import io.dcloud.deploy.ContainerRuntime.PortBinding;
import io.dcloud.deploy.ContainerRuntime.RuntimeInfo;
import io.dcloud.deploy.ContainerRuntime.VolumeMount;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Container lifecycle, limits and wiring against the real Docker Engine, with the busybox image. */
@Tag("docker")
class DockerRuntimeContainersTest {

  private static final String LOOPBACK = "127.0.0.1";
  private static final List<String> IDLE = List.of("sleep", "infinity");

  /** Cleans up everything the class created, after its last test. */
  @RegisterExtension
  static final DockerTestSupport docker = DockerTestSupport.start();

  private static final DockerRuntime runtime = docker.runtime();

  @Test
  void infoReportsTheEngineAndThePinnedApiVersion() {
    RuntimeInfo info = runtime.info();

    assertThat(info.available()).isTrue();
    assertThat(info.error()).isNull();
    assertThat(info.version()).isNotBlank();
    assertThat(info.apiVersion()).matches("1\\.\\d+");
    assertThat(info.runtimes()).contains("runc");
    assertThat(info.cpus()).isPositive();
    assertThat(info.totalMemoryBytes()).isPositive();
    // The engine runs on this machine here: its data root is a directory this process sees.
    assertThat(Path.of(info.dataRoot())).isDirectory();
  }

  @Test
  void infoOfAnUnreachableEngineIsUnavailableNotAnException() {
    var config = ConfigFactory.parseMap(Map.of("docker.host", "unix:///nonexistent/docker.sock"))
        .withFallback(ConfigFactory.load().getConfig("dcloud.deploy"));
    try (DockerRuntime nowhere = DockerRuntime.create(config)) {
      RuntimeInfo info = nowhere.info();

      assertThat(info.available()).isFalse();
      assertThat(info.error()).contains("unreachable").contains("/nonexistent/docker.sock");
      assertThatThrownBy(() -> nowhere.inspect("x")).isInstanceOf(RuntimeFailure.class).hasMessageContaining("dockerd");
    }
  }

  @Test
  void createAppliesLimitsSecurityLabelsAndLoopbackPorts() {
    int chosenPort = DockerTestSupport.freeLoopbackPort();
    ContainerSpec base = docker.busyboxSpec("limits", List.of("httpd", "-f", "-p", "80", "-h", "/var/www"));
    ContainerSpec spec = new ContainerSpec(base.name(), base.image(), base.command(), Map.of("GREETING", "hello world"),
        1_500_000_000L, 48L * 1024 * 1024, 77, List.of(),
        List.of(new PortBinding(LOOPBACK, chosenPort, 80, "tcp"), new PortBinding(LOOPBACK, null, 81, "tcp")),
        List.of(), base.labels(), base.tenant());

    String id = runtime.create(spec);
    InspectContainerResponse raw = docker.inspectRaw(id);
    HostConfig host = raw.getHostConfig();

    assertThat(raw.getName()).isEqualTo("/" + spec.name());
    assertThat(host.getNanoCPUs()).isEqualTo(1_500_000_000L);
    assertThat(host.getMemory()).isEqualTo(48L * 1024 * 1024);
    assertThat(host.getMemorySwap()).as("no swap").isEqualTo(48L * 1024 * 1024);
    assertThat(host.getPidsLimit()).isEqualTo(77L);
    assertThat(host.getCapDrop()).containsExactly(Capability.ALL);
    assertThat(host.getCapAdd()).containsExactlyInAnyOrderElementsOf(runtime.settings().container().capAdd());
    assertThat(host.getSecurityOpts()).containsExactly("no-new-privileges");
    assertThat(host.getInit()).isTrue();
    assertThat(raw.getConfig().getLabels()).isEqualTo(spec.labels());
    assertThat(raw.getConfig().getEnv()).contains("GREETING=hello world");
    Ports.Binding[] bound80 = host.getPortBindings().getBindings().get(ExposedPort.tcp(80));
    assertThat(bound80).extracting(Ports.Binding::getHostIp, Ports.Binding::getHostPortSpec)
        .containsExactly(org.assertj.core.groups.Tuple.tuple(LOOPBACK, String.valueOf(chosenPort)));

    runtime.start(id);
    ContainerInfo info = docker.awaitContainer(id, ContainerInfo::running);

    assertThat(info.name()).isEqualTo(spec.name());
    assertThat(info.image()).isEqualTo(TestImages.BUSYBOX);
    assertThat(info.ports()).contains(new PortBinding(LOOPBACK, chosenPort, 80, "tcp"));
    PortBinding picked = info.ports().stream().filter(p -> p.containerPort() == 81).findFirst().orElseThrow();
    assertThat(picked.hostIp()).isEqualTo(LOOPBACK);
    assertThat(picked.hostPort()).as("engine-chosen port").isNotNull().isPositive();
    // "running" is the engine's word for the process, not for httpd listening yet: wait for its answer.
    assertThat(docker.awaitHttpAnswer(LOOPBACK, chosenPort)).startsWith("HTTP/1.");
    // Its own address on its network, as the engine has it: this machine reaches the port there, past the port proxy.
    assertThat(info.address()).isNotBlank()
        .isEqualTo(docker.inspectRaw(id).getNetworkSettings().getNetworks().values().iterator().next().getIpAddress());
    assertThat(docker.awaitHttpAnswer(info.address(), 80)).startsWith("HTTP/1.");
  }

  /** A resize: the limits change on a running container and on a stopped one, which starts with them. */
  @Test
  void theLimitsOfACreatedContainerChangeRunningOrStopped() {
    ContainerSpec base = docker.busyboxSpec("resized", IDLE);
    String id = runtime.create(new ContainerSpec(base.name(), base.image(), base.command(), Map.of(),
        500_000_000L, 32L * 1024 * 1024, 77, List.of(), List.of(), List.of(), base.labels(), base.tenant()));
    runtime.start(id);
    docker.awaitContainer(id, ContainerInfo::running);

    runtime.updateLimits(id, 1_500_000_000L, 96L * 1024 * 1024);
    HostConfig running = docker.inspectRaw(id).getHostConfig();
    assertThat(running.getNanoCPUs()).isEqualTo(1_500_000_000L);
    assertThat(running.getMemory()).isEqualTo(96L * 1024 * 1024);
    assertThat(running.getMemorySwap()).as("still no swap").isEqualTo(96L * 1024 * 1024);

    runtime.stop(id, Duration.ofSeconds(1));
    runtime.updateLimits(id, 250_000_000L, 16L * 1024 * 1024);
    runtime.start(id);
    assertThat(docker.awaitContainer(id, ContainerInfo::running).running()).isTrue();
    HostConfig restarted = docker.inspectRaw(id).getHostConfig();
    assertThat(restarted.getNanoCPUs()).isEqualTo(250_000_000L);
    assertThat(restarted.getMemory()).isEqualTo(16L * 1024 * 1024);

    runtime.remove(id, List.of());
    assertThatThrownBy(() -> runtime.updateLimits(id, 250_000_000L, 16L * 1024 * 1024))
        .isInstanceOf(RuntimeFailure.class).hasMessageContaining("does not exist");
  }

  @Test
  void startStopAndRemoveAreIdempotent() {
    String id = runtime.create(docker.busyboxSpec("lifecycle", IDLE));

    runtime.start(id);
    runtime.start(id);
    assertThat(docker.awaitContainer(id, ContainerInfo::running).state()).isEqualTo("running");

    long before = System.nanoTime();
    runtime.stop(id, Duration.ofSeconds(20));
    Duration took = Duration.ofNanos(System.nanoTime() - before);
    // docker-init forwards SIGTERM to sleep, which dies at once instead of waiting for SIGKILL.
    assertThat(took).isLessThan(Duration.ofSeconds(10));
    runtime.stop(id, Duration.ofSeconds(1));
    runtime.stop(id, null);
    assertThat(runtime.inspect(id)).get().extracting(ContainerInfo::running, ContainerInfo::address)
        .containsExactly(false, null);

    runtime.remove(id, List.of());
    runtime.remove(id, List.of());
    runtime.stop(id, Duration.ofSeconds(1));
    assertThat(runtime.inspect(id)).isEmpty();
    assertThatThrownBy(() -> runtime.start(id)).isInstanceOf(RuntimeFailure.class).hasMessageContaining("does not exist");
  }

  @Test
  void removeForcesARunningContainer() {
    String id = docker.run(docker.busyboxSpec("force", IDLE));
    docker.awaitContainer(id, ContainerInfo::running);

    runtime.remove(id, List.of());

    assertThat(runtime.inspect(id)).isEmpty();
  }

  @Test
  void createIsIdempotentForTheSameEnvironmentAndRefusesAForeignName() {
    ContainerSpec spec = docker.busyboxSpec("again", IDLE);
    String first = runtime.create(spec);

    assertThat(runtime.create(spec)).isEqualTo(first);

    Map<String, String> otherLabels = docker.labels("another-env", docker.name("node"));
    ContainerSpec foreign = new ContainerSpec(spec.name(), spec.image(), spec.command(), spec.env(), spec.nanoCpus(),
        spec.memoryBytes(), spec.pidsLimit(), spec.gpuUuids(), spec.ports(), spec.volumes(), otherLabels, spec.tenant());
    assertThatThrownBy(() -> runtime.create(foreign))
        .isInstanceOf(RuntimeFailure.class)
        .hasMessageContaining("already exists")
        .hasMessageContaining("docker rm -f " + spec.name());
  }

  @Test
  void createOfAMissingImageSaysSo() {
    ContainerSpec base = docker.busyboxSpec("noimage", IDLE);
    ContainerSpec spec = new ContainerSpec(base.name(), "dcloud-test/absent:0", base.command(), base.env(),
        base.nanoCpus(), base.memoryBytes(), base.pidsLimit(), base.gpuUuids(), base.ports(), base.volumes(), base.labels(), base.tenant());

    assertThatThrownBy(() -> runtime.create(spec))
        .isInstanceOf(RuntimeFailure.class)
        .hasMessageContaining("dcloud-test/absent:0")
        .hasMessageContaining("ensureImage");
  }

  @Test
  void namedVolumesAreCreatedLabelledMountedAndRemoved() {
    String volume = docker.name("data");
    ContainerSpec base = docker.busyboxSpec("volumes", List.of("sh", "-c", "echo kept > /data/file && sleep infinity"));
    ContainerSpec spec = new ContainerSpec(base.name(), base.image(), base.command(), base.env(), base.nanoCpus(),
        base.memoryBytes(), base.pidsLimit(), List.of(), List.of(), List.of(new VolumeMount(volume, "/data")), base.labels(), base.tenant());

    String id = runtime.create(spec);

    assertThat(docker.inspectVolume(volume)).get()
        .satisfies(v -> assertThat(v.getLabels()).containsAllEntriesOf(spec.labels()));
    assertThat(docker.inspectRaw(id).getMounts())
        .anySatisfy(m -> {
          assertThat(m.getName()).isEqualTo(volume);
          assertThat(m.getDestination().getPath()).isEqualTo("/data");
        });

    runtime.start(id);
    docker.awaitContainer(id, ContainerInfo::running);
    runtime.remove(id, List.of(volume));

    assertThat(docker.inspectVolume(volume)).isEmpty();
    runtime.remove(id, List.of(volume));
  }

  @Test
  void aVolumesUsageIsWhatItsFilesTakeAsTheEngineCountsThem() {
    String volume = docker.name("usage");
    ContainerSpec base = docker.busyboxSpec("usage", List.of("dd", "if=/dev/zero", "of=/data/blob", "bs=1024", "count=64"));
    ContainerSpec spec = new ContainerSpec(base.name(), base.image(), base.command(), base.env(), base.nanoCpus(),
        base.memoryBytes(), base.pidsLimit(), List.of(), List.of(), List.of(new VolumeMount(volume, "/data")), base.labels(), base.tenant());
    String id = docker.run(spec);
    assertThat(docker.awaitExited(id).exitCode()).as("the file written").isZero();

    assertThat(runtime.volumeUsage()).as("64 KiB written into it").hasEntrySatisfying(volume,
        used -> assertThat(used).isGreaterThanOrEqualTo(64 * 1024L));
    runtime.remove(id, List.of(volume));
    assertThat(runtime.volumeUsage()).as("a removed volume").doesNotContainKey(volume);
  }

  @Test
  void gpuUuidsBecomeAnNvidiaDeviceRequestByIdNeverByCount() {
    List<String> uuids = List.of("GPU-11111111-2222-3333-4444-555555555555", "GPU-66666666-7777-8888-9999-000000000000");
    ContainerSpec base = docker.busyboxSpec("gpu", IDLE);
    ContainerSpec spec = new ContainerSpec(base.name(), base.image(), base.command(), base.env(), base.nanoCpus(),
        base.memoryBytes(), base.pidsLimit(), uuids, List.of(), List.of(), base.labels(), base.tenant());

    // Created only: this machine has no NVIDIA runtime, so starting would fail.
    String id = runtime.create(spec);

    List<DeviceRequest> requests = docker.inspectRaw(id).getHostConfig().getDeviceRequests();
    assertThat(requests).hasSize(1);
    DeviceRequest gpu = requests.get(0);
    assertThat(gpu.getDriver()).isEqualTo("nvidia");
    assertThat(gpu.getDeviceIds()).containsExactlyElementsOf(uuids);
    assertThat(gpu.getCapabilities()).containsExactly(List.of("gpu"));
    assertThat(gpu.getCount()).isIn(null, 0);
  }

  @Test
  void listManagedReturnsOnlyTheNodesContainers() {
    String nodeA = docker.name("node-a");
    String nodeB = docker.name("node-b");
    String a1 = runtime.create(onNode("list-a1", nodeA));
    String a2 = runtime.create(onNode("list-a2", nodeA));
    String b1 = runtime.create(onNode("list-b1", nodeB));
    runtime.start(a1);
    docker.awaitContainer(a1, ContainerInfo::running);

    List<ContainerInfo> onA = runtime.listManaged(nodeA);

    assertThat(onA).extracting(ContainerInfo::id).containsExactlyInAnyOrder(a1, a2);
    assertThat(onA).filteredOn(ContainerInfo::running).extracting(ContainerInfo::id).containsExactly(a1);
    assertThat(onA).filteredOn(c -> c.id().equals(a2)).extracting(ContainerInfo::state).containsExactly("created");
    assertThat(runtime.listManaged(nodeB)).extracting(ContainerInfo::id).containsExactly(b1);
    assertThat(runtime.listManaged(docker.name("node-none"))).isEmpty();
  }

  private ContainerSpec onNode(String suffix, String node) {
    ContainerSpec base = docker.busyboxSpec(suffix, IDLE);
    return new ContainerSpec(base.name(), base.image(), base.command(), base.env(), base.nanoCpus(), base.memoryBytes(),
        base.pidsLimit(), List.of(), List.of(), List.of(), docker.labels(base.name(), node), null);
  }
}
