package io.dcloud.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;
import io.dcloud.contracts.ImageRecipe;
import io.dcloud.deploy.DockerTestSupport;
import io.dcloud.deploy.TestImages;
import io.dcloud.resources.Resources;
import io.dcloud.spec.EnvironmentSpec;
import io.dcloud.spec.PublishedPort;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * On the real engine: a running container's ports are reported with its address on its network, and
 * the port answers there (past the engine's port proxy) as it does at the published port; with
 * {@code call-container-address = off} the address is left out.
 */
@Tag("docker")
class ContainerAddressTest {
  private static final int PORT = 8080;
  private static final ImageRecipe BUSYBOX = new ImageRecipe(TestImages.BUSYBOX, "busybox", "FROM busybox\n");

  @RegisterExtension
  static final DockerTestSupport docker = DockerTestSupport.start();

  private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private static NodeSettings settings(String nodeId, boolean callContainerAddress) {
    return NodeSettings.fromConfig(ConfigFactory.load().withValue(
        "dcloud.node.call-container-address", ConfigValueFactory.fromAnyRef(callContainerAddress)), "test-host")
        .withNodeId(nodeId);
  }

  private static NodeProtocol.Deploy webServer(String environmentId) {
    EnvironmentSpec spec = new EnvironmentSpec("web", "1", "tiny", null, List.of(), new Resources(500, 64L << 20, 0, 0, null),
        List.of(), List.of(new EnvironmentSpec.PortSpec(null, PORT, "tcp")), List.of(),
        List.of("httpd", "-f", "-p", String.valueOf(PORT), "-h", "/etc"), Map.of(), Map.of(), EnvironmentSpec.RestartPolicy.NEVER);
    return new NodeProtocol.Deploy(environmentId, spec, BUSYBOX, List.of(), docker.tenant("owner"));
  }

  private String hostname(String base) throws Exception {
    HttpResponse<String> answer = client.send(HttpRequest.newBuilder(URI.create(base + "/hostname")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(answer.statusCode()).isEqualTo(200);
    return answer.body();
  }

  @Test
  void aRunningContainersPortAnswersAtItsOwnAddressAsAtThePublishedPort() throws Exception {
    ContainerOperations operations = new ContainerOperations(settings(docker.name("node"), true), docker.runtime(),
        SecretEnvDeployTest.SILENT_PEERS);
    ContainerOperations.Outcome outcome = operations.deploy(webServer("env-address"));
    try {
      PublishedPort port = PublishedPort.tcp(outcome.report().ports(), PORT).orElseThrow();
      assertThat(port.containerAddress()).isNotBlank();
      assertThat(port.urlOnItsMachine("http")).isEqualTo("http://" + port.containerAddress() + ":" + PORT);
      await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> !hostname(port.url("http")).isBlank());
      assertThat(hostname(port.urlOnItsMachine("http"))).isEqualTo(hostname(port.url("http")));
    } finally {
      // Made by the node, so without the test label DockerTestSupport removes by.
      operations.remove(new NodeProtocol.RemoveContainer("env-address", outcome.containerId(), List.of()));
    }
  }

  @Test
  void whenTurnedOffOnlyThePublishedPortIsReported() {
    ContainerOperations operations = new ContainerOperations(settings(docker.name("node"), false), docker.runtime(),
        SecretEnvDeployTest.SILENT_PEERS);
    ContainerOperations.Outcome outcome = operations.deploy(webServer("env-no-address"));
    try {
      PublishedPort port = PublishedPort.tcp(outcome.report().ports(), PORT).orElseThrow();
      assertThat(port.containerAddress()).isNull();
      assertThat(port.urlOnItsMachine("http")).isEqualTo(port.url("http"));
    } finally {
      operations.remove(new NodeProtocol.RemoveContainer("env-no-address", outcome.containerId(), List.of()));
    }
  }
}
