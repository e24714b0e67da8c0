package io.dcloud.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.dcloud.contracts.EnvironmentNames;
import io.dcloud.deploy.ContainerRuntime.ContainerInfo;
import io.dcloud.deploy.ContainerRuntime.ContainerSpec;
import io.dcloud.deploy.ContainerRuntime.VolumeMount;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/** The contract against the scripted engine the node tests use (no Docker needed). */
class ScriptedRuntimeContractTest extends ContainerRuntimeContract {
  private static final String IMAGE = "scripted/idle:1";

  private final ScriptedRuntime runtime = new ScriptedRuntime(IMAGE);

  @Override
  protected ContainerRuntime runtime() {
    return runtime;
  }

  @Override
  protected String name(String suffix) {
    return "scripted-" + suffix;
  }

  @Override
  protected ContainerSpec idleSpec(String suffix, String nodeId, List<VolumeMount> volumes) {
    String name = name(suffix);
    return new ContainerSpec(name, IMAGE, List.of("sleep", "infinity"), Map.of(), 0, 0, 0, List.of(), List.of(), volumes,
        Map.of(EnvironmentNames.ENV_LABEL, name, EnvironmentNames.NODE_LABEL, nodeId), null);
  }

  @Override
  protected boolean volumeExists(String name) {
    return runtime.volumeExists(name);
  }

  /** The scripted engine changes state within the call: there is nothing to wait for. */
  @Override
  protected ContainerInfo awaitContainer(String containerId, Predicate<ContainerInfo> condition) {
    ContainerInfo info = runtime.inspect(containerId).orElseThrow();
    assertThat(condition).accepts(info);
    return info;
  }
}
