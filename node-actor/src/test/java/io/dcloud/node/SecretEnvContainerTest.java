package io.dcloud.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.dcloud.contracts.ImageRecipe;
import io.dcloud.deploy.DockerTestSupport;
import io.dcloud.deploy.TestImages;
import io.dcloud.secret.SecretBox;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** On the real engine: the container's environment holds secret-env's decrypted value, next to env's. */
@Tag("docker")
class SecretEnvContainerTest {

  @RegisterExtension
  static final DockerTestSupport docker = DockerTestSupport.start();

  @Test
  void theEngineGetsThePlaintext() {
    byte[] key = SecretEnvDeployTest.randomKey();
    String nodeId = docker.name("node");
    ContainerOperations operations =
        new ContainerOperations(SecretEnvDeployTest.settings(nodeId, key), docker.runtime(), SecretEnvDeployTest.SILENT_PEERS);
    ImageRecipe busybox = new ImageRecipe(TestImages.BUSYBOX, "busybox", "FROM busybox\n");
    NodeProtocol.Deploy deploy = new NodeProtocol.Deploy(
        "env-secret", SecretEnvDeployTest.spec(new SecretBox(key), List.of("sleep", "300")), busybox, List.of(),
        docker.tenant("owner"));

    ContainerOperations.Outcome outcome = operations.deploy(deploy);
    try {
      assertThat(docker.inspectRaw(outcome.containerId()).getConfig().getEnv()).contains("MODE=plain", "API_TOKEN=hunter2");
    } finally {
      // Made by the node, so without the test label DockerTestSupport removes by.
      operations.remove(new NodeProtocol.RemoveContainer("env-secret", outcome.containerId(), List.of()));
    }
  }
}
