package io.dcloud.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;
import io.dcloud.contracts.ImageRecipe;
import io.dcloud.deploy.ScriptedRuntime;
import io.dcloud.node.NodeProtocol.ContainerPhase;
import io.dcloud.resources.Resources;
import io.dcloud.secret.SecretBox;
import io.dcloud.spec.EnvironmentSpec;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.junit.jupiter.api.Test;

/**
 * A node decrypts an environment's secret-env just before it creates the container, with its own
 * {@code dcloud.secrets.key}; a value it cannot decrypt fails the deploy with a message that says why.
 */
class SecretEnvDeployTest {
  private static final ImageRecipe RECIPE = new ImageRecipe("dcloud/env-tiny:0123456789abcdef", "busybox", "FROM busybox\n");

  /** The cluster as these operations see it: nobody listens, every claim is wanted. */
  static final NodePeers SILENT_PEERS = new NodePeers() {
    @Override
    public void report(String environmentId, NodeProtocol.ContainerReport report) {}

    @Override
    public void progress(String environmentId, String line) {}

    @Override
    public CompletionStage<Claim> claim(String environmentId, String nodeId) {
      return CompletableFuture.completedFuture(new Claim(true, List.of(), null));
    }

    @Override
    public CompletionStage<Boolean> stop(String environmentId, String reason) {
      return CompletableFuture.completedFuture(false);
    }

    @Override
    public CompletionStage<List<String>> placedOn(String nodeId) {
      return CompletableFuture.completedFuture(List.of());
    }
  };

  static byte[] randomKey() {
    byte[] key = new byte[SecretBox.KEY_BYTES];
    new SecureRandom().nextBytes(key);
    return key;
  }

  /** A node's settings with {@code key} as its dcloud.secrets.key (null: none). */
  static NodeSettings settings(String nodeId, byte[] key) {
    Config config = ConfigFactory.load();
    if (key != null) {
      config = config.withValue("dcloud.secrets.key", ConfigValueFactory.fromAnyRef(Base64.getEncoder().encodeToString(key)));
    }
    return NodeSettings.fromConfig(config, "test-host").withNodeId(nodeId);
  }

  /** A spec with one plain and one secret variable, sealed by {@code box}. */
  static EnvironmentSpec spec(SecretBox box, List<String> command) {
    return new EnvironmentSpec("secretive", "1", "tiny", null, List.of(), new Resources(500, 64L << 20, 0, 0, null),
        List.of(), List.of(), List.of(), command, Map.of("MODE", "plain"), Map.of(), EnvironmentSpec.RestartPolicy.NEVER,
        Map.of("API_TOKEN", box.seal("API_TOKEN", "hunter2")));
  }

  @Test
  void theContainerGetsTheDecryptedValuesAlongsideEnv() {
    byte[] key = randomKey();
    ScriptedRuntime runtime = new ScriptedRuntime(RECIPE.tag());
    ContainerOperations operations = new ContainerOperations(settings("n1", key), runtime, SILENT_PEERS);

    ContainerOperations.Outcome outcome =
        operations.deploy(new NodeProtocol.Deploy("env-s", spec(new SecretBox(key), List.of()), RECIPE, List.of(), "alice"));

    assertThat(outcome.report().phase()).isEqualTo(ContainerPhase.RUNNING);
    assertThat(runtime.specOf(outcome.containerId()).orElseThrow().env())
        .containsExactlyInAnyOrderEntriesOf(Map.of("MODE", "plain", "API_TOKEN", "hunter2",
            "DCLOUD_PROXY_PREFIX", "/api/v1/environments/env-s/proxy"));
  }

  @Test
  void aValueSealedWithAnotherKeyFailsTheDeployClearlyAndCreatesNothing() {
    ScriptedRuntime runtime = new ScriptedRuntime(RECIPE.tag());
    ContainerOperations operations = new ContainerOperations(settings("n1", randomKey()), runtime, SILENT_PEERS);
    NodeProtocol.Deploy deploy =
        new NodeProtocol.Deploy("env-s", spec(new SecretBox(randomKey()), List.of()), RECIPE, List.of(), "alice");

    assertThatThrownBy(() -> operations.deploy(deploy))
        .isInstanceOf(SecretBox.UnreadableSecretException.class)
        .satisfies(failure -> assertThat(operations.failed("env-s", failure).report().message()).isEqualTo(
            "cannot decrypt secret-env API_TOKEN: it was encrypted with another key"
                + " (is dcloud.secrets.key the same on every node?) or altered"));
    assertThat(runtime.calls("create")).isEmpty();
  }

  @Test
  void aNodeWithoutAKeySaysSo() {
    ScriptedRuntime runtime = new ScriptedRuntime(RECIPE.tag());
    ContainerOperations operations = new ContainerOperations(settings("n1", null), runtime, SILENT_PEERS);
    NodeProtocol.Deploy deploy =
        new NodeProtocol.Deploy("env-s", spec(new SecretBox(randomKey()), List.of()), RECIPE, List.of(), "alice");

    assertThatThrownBy(() -> operations.deploy(deploy))
        .hasMessage("node n1 cannot decrypt the secret-env of environment env-s: it has no secrets key (dcloud.secrets.key)");
    assertThat(runtime.calls("create")).isEmpty();
  }
}
