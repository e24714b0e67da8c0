package io.dcloud.environment;

import static io.dcloud.resources.Quantities.GIB;
import static io.dcloud.resources.Quantities.MIB;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dcloud.contracts.ImageRecipe;
import io.dcloud.resources.Resources;
import io.dcloud.spec.EnvironmentSpec;
import io.dcloud.spec.EnvironmentSpec.LanguageSpec;
import io.dcloud.spec.EnvironmentSpec.Lifecycle;
import io.dcloud.spec.EnvironmentSpec.PortSpec;
import io.dcloud.spec.EnvironmentSpec.RestartPolicy;
import io.dcloud.spec.EnvironmentSpec.VolumeSpec;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class KubernetesManifestTest {

  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final String ID = "3F2A9C1D-7777-4e4e-8888-000000000000";
  private static final ImageRecipe RECIPE = new ImageRecipe("dcloud/env-debian:0123456789abcdef", "debian:bookworm", "");

  private static EnvironmentSpec spec(List<PortSpec> ports, List<VolumeSpec> storage, Resources resources) {
    return new EnvironmentSpec("My_Env.1", "1", "debian", null, List.of(new LanguageSpec("python", List.of("numpy"))),
        resources, List.of(), ports, storage, List.of("python3", "-m", "http.server"), Map.of("MODE", "train"),
        Map.of("zone", "eu"), RestartPolicy.ALWAYS);
  }

  @Test
  void rendersADeploymentAServiceAndTheClaims() {
    EnvironmentSpec spec = spec(
        List.of(new PortSpec(9000, 9000, "tcp"), new PortSpec(30080, 980, "udp"), new PortSpec(null, 8888, "tcp")),
        List.of(new VolumeSpec("/scratch", 512 * MIB, Lifecycle.TEMPORARY), new VolumeSpec("/data", 5 * GIB, Lifecycle.PERSISTENT)),
        new Resources(1500, 2 * GIB, 1, 10 * GIB, "T4"));

    List<ObjectNode> objects = KubernetesManifest.render(ID, spec, RECIPE, MAPPER);

    assertThat(objects).extracting(o -> o.get("kind").asText())
        .containsExactly("Deployment", "Service", "PersistentVolumeClaim");
    ObjectNode deployment = objects.get(0);
    assertThat(deployment.get("apiVersion").asText()).isEqualTo("apps/v1");
    assertThat(deployment.at("/metadata/name").asText()).isEqualTo("my-env-1-3f2a9c1d");
    assertThat(deployment.at("/metadata/labels/app.kubernetes.io~1name").asText()).isEqualTo("my-env-1-3f2a9c1d");
    assertThat(deployment.at("/metadata/labels/dcloud.env").asText()).isEqualTo(ID);
    assertThat(deployment.at("/spec/replicas").asInt()).isEqualTo(1);
    assertThat(deployment.at("/spec/selector/matchLabels/dcloud.env").asText()).isEqualTo(ID);
    assertThat(deployment.at("/spec/template/metadata/labels/dcloud.env").asText()).isEqualTo(ID);
    assertThat(deployment.at("/spec/template/spec/nodeSelector")).isEqualTo(MAPPER.valueToTree(Map.of("zone", "eu")));

    JsonNode container = deployment.at("/spec/template/spec/containers/0");
    assertThat(container.get("image").asText()).isEqualTo("dcloud/env-debian:0123456789abcdef");
    assertThat(container.get("args")).isEqualTo(MAPPER.valueToTree(List.of("python3", "-m", "http.server")));
    // Values are write-only: the manifest names the variable for the user to fill in.
    assertThat(container.get("env")).isEqualTo(MAPPER.valueToTree(List.of(Map.of("name", "MODE", "value", "<set>"))));
    assertThat(container.get("ports")).isEqualTo(MAPPER.valueToTree(List.of(
        Map.of("containerPort", 9000, "protocol", "TCP"),
        Map.of("containerPort", 980, "protocol", "UDP"),
        Map.of("containerPort", 8888, "protocol", "TCP"))));
    JsonNode limits = container.at("/resources/limits");
    assertThat(limits.get("cpu").asText()).isEqualTo("1500m");
    assertThat(limits.get("memory").asText()).isEqualTo(Long.toString(2 * GIB));
    assertThat(limits.get("nvidia.com/gpu").asText()).isEqualTo("1");
    assertThat(limits.get("ephemeral-storage").asText()).isEqualTo(Long.toString(10 * GIB));
    assertThat(container.at("/resources/requests")).isEqualTo(limits);

    assertThat(container.get("volumeMounts")).isEqualTo(MAPPER.valueToTree(List.of(
        Map.of("name", "vol-0", "mountPath", "/scratch"), Map.of("name", "vol-1", "mountPath", "/data"))));
    JsonNode volumes = deployment.at("/spec/template/spec/volumes");
    assertThat(volumes.at("/0/emptyDir/sizeLimit").asText()).isEqualTo(Long.toString(512 * MIB));
    assertThat(volumes.at("/1/persistentVolumeClaim/claimName").asText()).isEqualTo("my-env-1-3f2a9c1d-vol-1");

    ObjectNode service = objects.get(1);
    assertThat(service.get("apiVersion").asText()).isEqualTo("v1");
    assertThat(service.at("/spec/type").asText()).isEqualTo("NodePort");
    assertThat(service.at("/spec/selector/dcloud.env").asText()).isEqualTo(ID);
    JsonNode ports = service.at("/spec/ports");
    assertThat(ports).hasSize(3);
    assertThat(ports.get(0).has("nodePort")).as("9000 is outside the NodePort range").isFalse();
    assertThat(ports.get(1).get("nodePort").asInt()).isEqualTo(30080);
    assertThat(ports.get(1).get("protocol").asText()).isEqualTo("UDP");
    assertThat(ports.get(1).get("targetPort").asInt()).isEqualTo(980);
    assertThat(ports.get(2).has("nodePort")).isFalse();
    assertThat(ports).extracting(p -> p.get("name").asText()).containsExactly("tcp-9000", "udp-980", "tcp-8888");

    ObjectNode claim = objects.get(2);
    assertThat(claim.at("/metadata/name").asText()).isEqualTo("my-env-1-3f2a9c1d-vol-1");
    assertThat(claim.at("/spec/accessModes/0").asText()).isEqualTo("ReadWriteOnce");
    assertThat(claim.at("/spec/resources/requests/storage").asText()).isEqualTo(Long.toString(5 * GIB));
  }

  @Test
  void omitsTheServiceWithoutPortsAndTheGpuWithoutGpus() {
    List<ObjectNode> objects = KubernetesManifest.render(ID, spec(List.of(), List.of(),
        new Resources(1000, GIB, 0, 0, null)), RECIPE, MAPPER);

    assertThat(objects).extracting(o -> o.get("kind").asText()).containsExactly("Deployment");
    JsonNode limits = objects.get(0).at("/spec/template/spec/containers/0/resources/limits");
    assertThat(limits.has("nvidia.com/gpu")).isFalse();
    assertThat(limits.get("cpu").asText()).isEqualTo("1000m");
  }

  @Test
  void namesAreDns1035Labels() {
    assertThat(KubernetesManifest.resourceName("fjasldf", ID)).isEqualTo("fjasldf-3f2a9c1d");
    assertThat(KubernetesManifest.resourceName("9lives", ID)).isEqualTo("env-9lives-3f2a9c1d");
    assertThat(KubernetesManifest.resourceName("___", ID)).isEqualTo("env-3f2a9c1d");
    String longName = KubernetesManifest.resourceName("a".repeat(60) + "-b", ID);
    assertThat(longName).hasSizeLessThanOrEqualTo(63).matches("[a-z]([-a-z0-9]*[a-z0-9])?");
    assertThat(KubernetesManifest.resourceName("x-" + "-".repeat(60), ID)).isEqualTo("x-3f2a9c1d");
  }
}
