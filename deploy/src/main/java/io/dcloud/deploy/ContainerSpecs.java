package io.dcloud.deploy;

import com.github.dockerjava.api.command.CreateContainerCmd;
import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.api.model.Capability;
import com.github.dockerjava.api.model.ContainerNetwork;
import com.github.dockerjava.api.model.DeviceRequest;
import com.github.dockerjava.api.model.ExposedPort;
import com.github.dockerjava.api.model.HostConfig;
import com.github.dockerjava.api.model.InternetProtocol;
import com.github.dockerjava.api.model.LogConfig;
import com.github.dockerjava.api.model.Mount;
import com.github.dockerjava.api.model.MountType;
import com.github.dockerjava.api.model.Ports;
import io.dcloud.contracts.EnvironmentNames;
import io.dcloud.deploy.ContainerRuntime.ContainerInfo;
import io.dcloud.deploy.ContainerRuntime.ContainerSpec;
import io.dcloud.deploy.ContainerRuntime.PortBinding;
import io.dcloud.deploy.DockerSettings.ContainerDefaults;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/** Translation between DCloud's container records and the engine's create/inspect documents. */
final class ContainerSpecs {

  static final String DEFAULT_PROTOCOL = "tcp";
  static final String LOG_MAX_SIZE = "max-size";
  static final String LOG_MAX_FILE = "max-file";

  private ContainerSpecs() {}

  /**
   * Fills a create command from the spec and the node's defaults (limits, capabilities, init, log
   * rotation); the container joins {@code network} (its tenant's) and knows that network's
   * {@code gateway} (null: none) as {@link EnvironmentNames#GATEWAY_HOST}, where its node relays the broker.
   */
  static CreateContainerCmd apply(
      CreateContainerCmd cmd, ContainerSpec spec, ContainerDefaults defaults, String network, String gateway) {
    HostConfig host = hostConfig(spec, defaults).withNetworkMode(network);
    if (gateway != null) {
      host.withExtraHosts(EnvironmentNames.GATEWAY_HOST + ":" + gateway);
    }
    cmd.withName(spec.name())
        .withLabels(spec.labels())
        .withEnv(environment(spec.env()))
        .withExposedPorts(spec.ports().stream().map(ContainerSpecs::exposedPort).toList())
        .withHostConfig(host);
    if (!spec.command().isEmpty()) {
      cmd.withCmd(spec.command());
    }
    return cmd;
  }

  static HostConfig hostConfig(ContainerSpec spec, ContainerDefaults defaults) {
    HostConfig host = HostConfig.newHostConfig()
        .withPidsLimit(spec.pidsLimit() > 0 ? spec.pidsLimit() : defaults.pidsLimitDefault())
        .withInit(defaults.init())
        .withSecurityOpts(defaults.securityOpts())
        .withCapDrop(defaults.capDrop().toArray(Capability[]::new))
        .withCapAdd(defaults.capAdd().toArray(Capability[]::new))
        .withLogConfig(new LogConfig(LogConfig.LoggingType.JSON_FILE,
            Map.of(LOG_MAX_SIZE, defaults.logMaxSize(), LOG_MAX_FILE, String.valueOf(defaults.logMaxFile()))))
        .withPortBindings(portBindings(spec.ports()))
        .withMounts(java.util.stream.Stream.concat(spec.volumes().stream().map(ContainerSpecs::mount),
            spec.binds().stream().map(ContainerSpecs::readOnly)).toList());
    if (spec.nanoCpus() > 0) {
      host.withNanoCPUs(spec.nanoCpus());
    }
    if (spec.memoryBytes() > 0) {
      // MemorySwap equal to Memory: no swap, so the limit is a real limit and OOM is visible.
      host.withMemory(spec.memoryBytes()).withMemorySwap(spec.memoryBytes());
    }
    if (!spec.gpuUuids().isEmpty()) {
      host.withDeviceRequests(List.of(gpuRequest(spec.gpuUuids(), defaults)));
    }
    return host;
  }

  /** GPUs by UUID, never by count: the node allocates devices, the engine must not pick others. */
  static DeviceRequest gpuRequest(List<String> uuids, ContainerDefaults defaults) {
    return new DeviceRequest()
        .withDriver(defaults.gpuDriver())
        .withCapabilities(List.of(defaults.gpuCapabilities()))
        .withDeviceIds(List.copyOf(uuids));
  }

  private static List<String> environment(Map<String, String> env) {
    return env.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).toList();
  }

  private static ExposedPort exposedPort(PortBinding port) {
    String protocol = port.protocol() == null ? DEFAULT_PROTOCOL : port.protocol();
    return new ExposedPort(port.containerPort(), InternetProtocol.parse(protocol));
  }

  private static Ports portBindings(List<PortBinding> ports) {
    Ports bindings = new Ports();
    for (PortBinding port : ports) {
      String hostPort = port.hostPort() == null ? null : String.valueOf(port.hostPort());
      bindings.bind(exposedPort(port), new Ports.Binding(port.hostIp(), hostPort));
    }
    return bindings;
  }

  /** Read-only, so the container cannot alter what it mounts (a dataset's cached version, shared on the node). */
  private static Mount readOnly(ContainerRuntime.BindMount bind) {
    return new Mount().withType(MountType.BIND).withSource(bind.source()).withTarget(bind.target()).withReadOnly(true);
  }

  private static Mount mount(ContainerRuntime.VolumeMount volume) {
    return new Mount().withType(MountType.VOLUME).withSource(volume.volumeName()).withTarget(volume.target());
  }

  static ContainerInfo info(InspectContainerResponse r) {
    InspectContainerResponse.ContainerState state = r.getState();
    boolean running = Boolean.TRUE.equals(state.getRunning());
    return new ContainerInfo(
        r.getId(),
        stripSlash(r.getName()),
        r.getConfig() == null || r.getConfig().getLabels() == null ? Map.of() : Map.copyOf(r.getConfig().getLabels()),
        running,
        state.getStatus(),
        state.getExitCode(),
        Boolean.TRUE.equals(state.getOOMKilled()),
        state.getError() == null || state.getError().isBlank() ? null : state.getError(),
        ports(r, running),
        r.getConfig() == null ? null : r.getConfig().getImage(),
        running ? address(r) : null,
        r.getHostConfig() == null || r.getHostConfig().getMemory() == null ? 0 : r.getHostConfig().getMemory());
  }

  /** The container's address on the first network that gave it one (DCloud attaches one network: its tenant's). */
  private static String address(InspectContainerResponse r) {
    if (r.getNetworkSettings() == null || r.getNetworkSettings().getNetworks() == null) {
      return null;
    }
    return r.getNetworkSettings().getNetworks().values().stream()
        .map(ContainerNetwork::getIpAddress)
        .filter(ip -> ip != null && !ip.isBlank())
        .findFirst()
        .orElse(null);
  }

  /**
   * The ports actually published (NetworkSettings) while the container runs; the configured
   * bindings otherwise (a stopped container publishes nothing, and a chosen port is unknown).
   */
  private static List<PortBinding> ports(InspectContainerResponse r, boolean running) {
    Ports published = r.getNetworkSettings() == null ? null : r.getNetworkSettings().getPorts();
    Ports configured = r.getHostConfig() == null ? null : r.getHostConfig().getPortBindings();
    Ports source = running && published != null ? published : configured;
    return source == null ? List.of() : toBindings(source);
  }

  /** One binding per container port and host port: the engine lists 0.0.0.0 and :: separately. */
  private static List<PortBinding> toBindings(Ports ports) {
    Map<List<Object>, PortBinding> unique = new LinkedHashMap<>();
    ports.getBindings().forEach((exposed, bindings) -> {
      if (bindings == null) {
        return; // exposed by the image, not published
      }
      for (Ports.Binding binding : bindings) {
        Integer hostPort = parsePort(binding.getHostPortSpec());
        String protocol = exposed.getProtocol().toString();
        PortBinding port = new PortBinding(binding.getHostIp(), hostPort, exposed.getPort(), protocol);
        unique.putIfAbsent(List.of(exposed.getPort(), protocol, Objects.toString(hostPort)), port);
      }
    });
    return List.copyOf(unique.values());
  }

  private static Integer parsePort(String spec) {
    if (spec == null || spec.isBlank()) {
      return null;
    }
    try {
      return Integer.valueOf(spec);
    } catch (NumberFormatException rangeOrGarbage) {
      return null;
    }
  }

  static String stripSlash(String name) {
    return name != null && name.startsWith("/") ? name.substring(1) : name;
  }
}
