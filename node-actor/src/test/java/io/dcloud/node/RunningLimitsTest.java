package io.dcloud.node;

import static org.assertj.core.api.Assertions.assertThat;

import com.github.dockerjava.api.command.InspectContainerResponse;
import com.typesafe.config.ConfigFactory;
import io.dcloud.contracts.ImageRecipe;
import io.dcloud.deploy.DockerTestSupport;
import io.dcloud.deploy.TestImages;
import io.dcloud.node.NodeProtocol.ContainerPhase;
import io.dcloud.node.NodeProtocol.ContainerReport;
import io.dcloud.resources.Resources;
import io.dcloud.spec.EnvironmentSpec;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * On the real engine: a running container's CPU and RAM limits change as it runs, the container
 * never stopped; RAM below what it holds is refused, said, and leaves it as it was.
 */
@Tag("docker")
class RunningLimitsTest {
  private static final ImageRecipe BUSYBOX = new ImageRecipe(TestImages.BUSYBOX, "busybox", "FROM busybox\n");

  @RegisterExtension
  static final DockerTestSupport docker = DockerTestSupport.start();

  @Test
  void aRunningContainersLimitsChangeAsItRunsAndRamBelowWhatItHoldsIsRefused() {
    NodeSettings settings = NodeSettings.fromConfig(ConfigFactory.load(), "test-host").withNodeId(docker.name("node"));
    ContainerOperations operations = new ContainerOperations(settings, docker.runtime(), SecretEnvDeployTest.SILENT_PEERS);
    // 48 MB in its shared memory (a tmpfs, charged to its memory and never reclaimable without swap).
    EnvironmentSpec spec = new EnvironmentSpec("holder", "1", "tiny", null, List.of(), new Resources(500, 128L << 20, 0, 0, null),
        List.of(), List.of(), List.of(), List.of("sh", "-c", "head -c 50000000 /dev/zero > /dev/shm/held && echo held && sleep 3600"),
        Map.of(), Map.of(), EnvironmentSpec.RestartPolicy.NEVER);
    ContainerOperations.Outcome deployed = operations.deploy(
        new NodeProtocol.Deploy("env-limits", spec, BUSYBOX, List.of(), docker.tenant("owner")));
    String containerId = deployed.containerId();
    try {
      assertThat(deployed.report().phase()).isEqualTo(ContainerPhase.RUNNING);
      docker.awaitContainer(containerId, info -> logged(containerId));
      String startedAt = docker.inspectRaw(containerId).getState().getStartedAt();

      Resources bigger = new Resources(1000, 256L << 20, 0, 0, null);
      ContainerReport resized = operations.updateLimits(new NodeProtocol.UpdateLimits("env-limits", containerId, bigger)).report();
      assertThat(resized.phase()).as(resized.message()).isEqualTo(ContainerPhase.RESIZED);
      assertThat(resized.limits()).isEqualTo(bigger);
      InspectContainerResponse after = docker.inspectRaw(containerId);
      assertThat(after.getHostConfig().getNanoCPUs()).isEqualTo(1_000_000_000L);
      assertThat(after.getHostConfig().getMemory()).isEqualTo(256L << 20);
      assertThat(after.getState().getRunning()).isTrue();
      assertThat(after.getState().getStartedAt()).as("never stopped").isEqualTo(startedAt);

      Resources tooSmall = new Resources(1000, 16L << 20, 0, 0, null);
      ContainerReport refused = operations.updateLimits(new NodeProtocol.UpdateLimits("env-limits", containerId, tooSmall)).report();
      assertThat(refused.phase()).isEqualTo(ContainerPhase.NOT_RESIZED);
      assertThat(refused.limits()).isEqualTo(tooSmall);
      assertThat(refused.message()).matches("it uses 4\\d(\\.\\d)? MiB of RAM, more than the 16 MiB asked");
      InspectContainerResponse kept = docker.inspectRaw(containerId);
      assertThat(kept.getHostConfig().getMemory()).as("as it was").isEqualTo(256L << 20);
      assertThat(kept.getState().getRunning()).as("still running, its memory whole").isTrue();
      assertThat(kept.getState().getStartedAt()).isEqualTo(startedAt);
    } finally {
      operations.remove(new NodeProtocol.RemoveContainer("env-limits", containerId, List.of()));
    }
  }

  private static boolean logged(String containerId) {
    try {
      return docker.logLines(containerId).contains("held");
    } catch (InterruptedException interrupted) {
      Thread.currentThread().interrupt();
      return false;
    }
  }
}
