package io.dcloud.node;

import io.dcloud.contracts.EnvironmentNames;
import io.dcloud.deploy.ContainerRuntime.BindMount;
import io.dcloud.deploy.ContainerRuntime.ContainerSpec;
import io.dcloud.deploy.ContainerRuntime.PortBinding;
import io.dcloud.deploy.ContainerRuntime.VolumeMount;
import io.dcloud.secret.SecretBox;
import io.dcloud.spec.EnvironmentSpec;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the engine is asked to create for a deployed environment: its name, image, command,
 * variables (secrets decrypted), resources, ports, volumes and the labels that tie it to its
 * environment and node.
 */
final class DeployContainerSpecs {
  /** Zero leaves the pids limit to the runtime (dcloud.deploy.container.pids-limit-default). */
  private static final long RUNTIME_DEFAULT_PIDS_LIMIT = 0;

  private DeployContainerSpecs() {}

  static ContainerSpec of(NodeSettings settings, NodeProtocol.Deploy deploy, List<BindMount> mounts) {
    EnvironmentSpec spec = deploy.spec();
    String environmentId = deploy.environmentId();
    String nodeId = settings.nodeId();
    List<PortBinding> ports = spec.ports().stream()
        .map(p -> new PortBinding(settings.publishHostIp(), p.hostPort(), p.containerPort(), p.protocol()))
        .toList();
    List<VolumeMount> volumes = new ArrayList<>();
    for (int i = 0; i < spec.storage().size(); i++) {
      EnvironmentSpec.VolumeSpec volume = spec.storage().get(i);
      volumes.add(new VolumeMount(spec.volumeName(nodeId, environmentId, i), volume.target(), volume.kept() != null));
    }
    Map<String, String> labels = new LinkedHashMap<>();
    labels.put(EnvironmentNames.ENV_LABEL, environmentId);
    labels.put(EnvironmentNames.NODE_LABEL, nodeId);
    if (!deploy.gpuUuids().isEmpty()) {
      labels.put(EnvironmentNames.GPU_LABEL, String.join(",", deploy.gpuUuids()));
    }
    return new ContainerSpec(
        EnvironmentNames.containerName(nodeId, environmentId),
        deploy.recipe().tag(),
        spec.command().isEmpty() ? settings.idleCommand() : spec.command(),
        variables(settings, environmentId, spec),
        spec.resources().nanoCpus(),
        spec.resources().memoryBytes(),
        RUNTIME_DEFAULT_PIDS_LIMIT,
        deploy.gpuUuids(),
        ports,
        volumes,
        labels, deploy.owner(), mounts);
  }

  /**
   * {@code env}, the proxy's prefix ({@link ProxyWire#PREFIX_VARIABLE}) and the decrypted {@code
   * secret-env}: decrypted here, just before the engine gets them, so no message or event between
   * the gateway and this node ever held them in clear.
   */
  private static Map<String, String> variables(NodeSettings settings, String environmentId, EnvironmentSpec spec) {
    Map<String, String> variables = new LinkedHashMap<>(spec.env());
    variables.put(ProxyWire.PREFIX_VARIABLE, ProxyWire.prefix(environmentId));
    if (spec.secretEnv().isEmpty()) {
      return variables;
    }
    SecretBox box = settings.secrets();
    if (box == null) {
      throw new IllegalStateException("node " + settings.nodeId() + " cannot decrypt the secret-env of environment "
          + environmentId + ": it has no secrets key (dcloud.secrets.key)");
    }
    spec.secretEnv().forEach((name, sealed) -> variables.put(name, box.open(name, sealed)));
    return variables;
  }
}
