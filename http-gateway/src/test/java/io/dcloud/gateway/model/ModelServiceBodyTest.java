package io.dcloud.gateway.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.typesafe.config.ConfigFactory;
import io.dcloud.catalog.CatalogCheck;
import io.dcloud.catalog.DefaultCatalog;
import io.dcloud.environment.EnvironmentSpecParser;
import io.dcloud.environment.SpecLimits;
import io.dcloud.gateway.Api;
import io.dcloud.gateway.common.RuntimeChecks;
import io.dcloud.resources.Resources;
import io.dcloud.spec.EnvironmentSpec;
import io.dcloud.validation.FieldError;
import io.dcloud.validation.ValidationException;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A model version as the services API's body (contract E), and its replicas' environment as DCloud reads it. */
class ModelServiceBodyTest {
  private static final ModelLimits LIMITS = ModelLimits.fromConfig(ConfigFactory.load());

  private static ModelConfig config(String document) {
    return ModelConfigParser.parse(Api.parse(document), LIMITS);
  }

  @Test
  void aVersionBecomesAModelServiceOfItsBundleOnPort8080ReadyAtReady() {
    ModelConfig config = config("""
        {"name": "iris", "runtime": {"language-name": "python", "libraries": ["scikit-learn", "flask"]},
         "resources": {"cpu": "1", "ram": "2G"}, "replicas": 3, "surge": 0,
         "batching": {"max-size": 16, "max-wait-ms": 10}}""");

    JsonNode body = ModelServiceBody.of(config, 4);

    assertThat(body).isEqualTo(Api.parse("""
        {"name": "iris", "kind": "model",
         "environment": {
           "os": "debian",
           "languages": [{"language-name": "python", "libraries": ["scikit-learn", "flask", "waitress", "joblib"]}],
           "resources": {"cpu": "1", "ram": "2G"},
           "dataset": [{"category-name": "models", "db": [{"db-name": "iris",
             "dataset": [{"dataset-name": "bundle", "version": "4"}]}]}],
           "port-publish": [{"internal": {"ports": "8080", "protocol": "tcp"}}],
           "command": ["python3", "/datasets/models/iris/bundle/dcloud_serve.py"],
           "env": {"PORT": "8080"}},
         "port": 8080, "replicas": 3, "surge": 0, "readiness": {"path": "/ready"},
         "batching": {"max-size": 16, "max-wait-ms": 10}}"""));
  }

  @Test
  void itsEnvironmentIsOneDCloudParsesAndTheDefaultCatalogCanBuild() {
    ModelConfig config = config("{\"name\": \"net\", \"runtime\": {\"language-name\": \"python\", \"libraries\": [\"torch\"]}}");
    ObjectNode environment = ModelServiceBody.environment(config, 2);
    environment.put("env-name", "net-replica");

    EnvironmentSpec spec = EnvironmentSpecParser.parse(environment, new Resources(1000, 1L << 30, 0, 0, null),
        SpecLimits.fromConfig(ConfigFactory.load()));

    assertThat(CatalogCheck.check(DefaultCatalog.load(), spec)).isEmpty();
    assertThat(spec.datasets()).containsExactly(new EnvironmentSpec.DatasetRef("models", "net", "bundle", "2"));
    assertThat(spec.command()).containsExactly("python3", "/datasets/models/net/bundle/dcloud_serve.py");
    assertThat(spec.ports()).extracting(EnvironmentSpec.PortSpec::containerPort).containsExactly(ModelServiceBody.PORT);
    assertThat(spec.languages().get(0).libraries()).containsExactly("torch", "flask", "waitress", "joblib");
  }

  @Test
  void aConfigThatRequiresSpreadingSaysSoToTheServiceAndOneThatDoesNotSaysNothing() {
    JsonNode apart = ModelServiceBody.of(config(
        "{\"name\": \"m\", \"runtime\": {\"language-name\": \"python\"}, \"spread\": \"required\"}"), 1);
    JsonNode plain = ModelServiceBody.of(config("{\"name\": \"m\", \"runtime\": {\"language-name\": \"python\"}}"), 1);

    assertThat(apart.path("spread").asText()).isEqualTo("required");
    assertThat(plain.has("spread")).isFalse();
    assertThatThrownBy(() -> config("{\"name\": \"m\", \"runtime\": {\"language-name\": \"python\"}, \"spread\": 2}"))
        .isInstanceOf(ValidationException.class).hasMessageContaining("spread");
  }

  @Test
  void replicasAndBatchingDefaultToOneRequestAtATimeOnOneReplica() {
    ModelConfig config = config("{\"name\": \"m\", \"runtime\": {\"language-name\": \"python\"}}");

    assertThat(config.replicas()).isEqualTo(1);
    assertThat(config.surge()).as("one replica more while a new version rolls").isEqualTo(1);
    assertThat(config.batching()).isEqualTo(ModelConfig.Batching.NONE);
    assertThat(ModelServiceBody.of(config, 1).path("environment").has("resources")).isFalse();
  }

  @Test
  void theEnvironmentsFieldNamesAreTheModelConfigsInErrors() {
    List<FieldError> renamed = RuntimeChecks.renamed(List.of(new FieldError("languages[0].libraries[1]", "unknown"),
        new FieldError("languages[0].language-name", "unknown"), new FieldError("resources.ram", "too much")));

    assertThat(renamed).extracting(FieldError::field)
        .containsExactly("runtime.libraries[1]", "runtime.language-name", "resources.ram");
  }
}
