package io.dcloud.deploy;

import io.dcloud.deploy.ContainerRuntime.ContainerInfo;
import io.dcloud.deploy.ContainerRuntime.ContainerSpec;
import io.dcloud.deploy.ContainerRuntime.VolumeMount;
import java.util.List;
import java.util.function.Predicate;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The contract against the real Docker Engine, with the busybox test image. */
@Tag("docker")
class DockerRuntimeContractTest extends ContainerRuntimeContract {

  /** Cleans up everything the class created, after its last test. */
  @RegisterExtension
  static final DockerTestSupport docker = DockerTestSupport.start();

  @Override
  protected ContainerRuntime runtime() {
    return docker.runtime();
  }

  @Override
  protected String name(String suffix) {
    return docker.name(suffix);
  }

  @Override
  protected ContainerSpec idleSpec(String suffix, String nodeId, List<VolumeMount> volumes) {
    ContainerSpec base = docker.busyboxSpec(suffix, List.of("sleep", "infinity"));
    return new ContainerSpec(base.name(), base.image(), base.command(), base.env(), base.nanoCpus(), base.memoryBytes(),
        base.pidsLimit(), List.of(), List.of(), volumes, docker.labels(base.name(), nodeId), null);
  }

  @Override
  protected boolean volumeExists(String name) {
    return docker.inspectVolume(name).isPresent();
  }

  @Override
  protected ContainerInfo awaitContainer(String containerId, Predicate<ContainerInfo> condition) {
    return docker.awaitContainer(containerId, condition);
  }
}
