package io.dcloud.gateway.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.typesafe.config.ConfigFactory;
import io.dcloud.catalog.CatalogCheck;
import io.dcloud.catalog.DefaultCatalog;
import io.dcloud.environment.EnvironmentSpecParser;
import io.dcloud.environment.SpecLimits;
import io.dcloud.gateway.Api;
import io.dcloud.resources.Resources;
import io.dcloud.spec.EnvironmentSpec;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** An app's source version as the services API's body, and its replicas' environment as DCloud reads it. */
class AppServiceBodyTest {
  private static final AppLimits LIMITS = AppLimits.fromConfig(ConfigFactory.load());

  private static AppConfig config(String document) {
    return AppConfigParser.parse(Api.parse(document), LIMITS);
  }

  @Test
  void aVersionBecomesAnAppServiceMountingItsSourceAndPublishingItsPort() {
    AppConfig config = config("""
        {"name": "shop", "runtime": {"language-name": "python", "libraries": ["flask"]}, "command": ["python3", "app.py"],
         "port": 5000, "replicas": 2, "resources": {"cpu": "1", "ram": "512M"}, "readiness": {"path": "/health"},
         "env": {"MODE": "prod"}}""");

    JsonNode body = AppServiceBody.of(config, 3);

    assertThat(body).isEqualTo(Api.parse("""
        {"name": "shop", "kind": "app",
         "environment": {
           "os": "debian",
           "languages": [{"language-name": "python", "libraries": ["flask"]}],
           "resources": {"cpu": "1", "ram": "512M"},
           "dataset": [{"category-name": "apps", "db": [{"db-name": "shop",
             "dataset": [{"dataset-name": "source", "version": "3"}]}]}],
           "port-publish": [{"internal": {"ports": 5000, "protocol": "tcp"}}],
           "command": ["sh", "-c", "cd /datasets/apps/shop/source && exec \\"$@\\"", "sh", "python3", "app.py"],
           "env": {"MODE": "prod"}},
         "port": 5000, "replicas": 2, "surge": 1, "readiness": {"path": "/health"}}"""));
  }

  @Test
  void anAppThatRequiresSpreadingSaysSoToTheService() {
    AppConfig config = config("""
        {"name": "ha", "runtime": {"language-name": "python"}, "command": ["python3", "app.py"], "port": 5000,
         "spread": "required"}""");

    assertThat(AppServiceBody.of(config, 1).path("spread").asText()).isEqualTo("required");
  }

  @Test
  void itsEnvironmentIsOneDCloudParsesAndTheDefaultCatalogCanBuild() {
    AppConfig config = config("""
        {"name": "web", "runtime": {"language-name": "python"}, "command": "python3 -m http.server 8000", "port": 8000}""");
    ObjectNode environment = AppServiceBody.environment(config, 1);
    environment.put("env-name", "web-replica");

    EnvironmentSpec spec = EnvironmentSpecParser.parse(environment, new Resources(1000, 1L << 30, 0, 0, null),
        SpecLimits.fromConfig(ConfigFactory.load()));

    assertThat(CatalogCheck.check(DefaultCatalog.load(), spec)).isEmpty();
    assertThat(spec.datasets()).containsExactly(new EnvironmentSpec.DatasetRef("apps", "web", "source", "1"));
    assertThat(spec.command()).containsExactly("sh", "-c", "cd /datasets/apps/web/source && python3 -m http.server 8000");
    assertThat(spec.ports()).anySatisfy(port -> assertThat(port.containerPort()).isEqualTo(8000));
    assertThat(config.replicas()).as("not said: a later push keeps the service's scale").isNull();
    assertThat(AppServiceBody.of(config, 1).path("replicas").asInt()).as("a new service's").isEqualTo(1);
    assertThat(config.readinessPath()).isEqualTo("/");
  }

  /** The wrapped command, run by a real shell in a stand-in for the mount: the words arrive as given, in that directory. */
  @Test
  void aListCommandRunsInTheSourceDirectoryWithItsWordsUntouched(@TempDir Path source) throws Exception {
    AppConfig config = config("""
        {"name": "echo", "runtime": {"language-name": "python"}, "port": 80,
         "command": ["sh", "-c", "pwd; printf '%s|' \\"$@\\"", "x", "two words", "$HOME", "a;b"]}""");
    List<String> command = new ArrayList<>();
    AppServiceBody.command(config).forEach(word -> command.add(
        word.asText().replace(AppServiceBody.directory("echo"), source.toString())));

    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);

    assertThat(process.waitFor()).isZero();
    assertThat(output).isEqualTo(source.toRealPath() + "\ntwo words|$HOME|a;b|");
  }
}
