package io.dcloud.gateway.catalog;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dcloud.gateway.Api;
import io.dcloud.gateway.GatewayTestCluster;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** Templates, the catalog, the node list and the health check through the API. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TemplateCatalogAndNodeApiTest {
  private static final String TEMPLATES = "/api/v1/templates";

  private GatewayTestCluster cluster;
  private Api api;

  @BeforeAll
  void start() throws Exception {
    cluster = new GatewayTestCluster("TemplateCatalogAndNodeApiTest");
    api = Api.admin(cluster.base);
  }

  @AfterAll
  void stop() {
    cluster.close();
  }

  private static String template(String name, String library) {
    return """
        {"name": "%s", "description": "for tests",
         "spec": {"env-name": "from-template", "os": "debian",
                  "languages": [{"language-name": "python", "libraries": ["%s"]}],
                  "resources": {"ram": "1G", "cpu": "1"}}}
        """.formatted(name, library);
  }

  @Test
  void templatesCanBeCreatedReadReplacedAndDeleted() {
    Api.Answer created = api.post(TEMPLATES, Api.JSON, template("crud", "numpy"));
    assertThat(created.status()).as(created.body()).isEqualTo(201);
    assertThat(created.header("location")).isEqualTo(TEMPLATES + "/crud");
    assertThat(created.json().path("spec").path("os").asText()).isEqualTo("debian");

    assertThat(api.post(TEMPLATES, Api.JSON, template("crud", "numpy")).problem(409).path("detail").asText())
        .contains("already exists");
    assertThat(names(api.get(TEMPLATES).json().path("templates"))).contains("crud", "python-ml", "jupyter");
    assertThat(api.get(TEMPLATES + "/crud").json().path("description").asText()).isEqualTo("for tests");

    Api.Answer replaced = api.put(TEMPLATES + "/crud", Api.JSON, template("crud", "pandas"));
    assertThat(replaced.status()).isEqualTo(200);
    assertThat(api.get(TEMPLATES + "/crud").json().path("spec").path("languages").get(0).path("libraries").get(0).asText())
        .isEqualTo("pandas");

    String yaml = """
        description: made with PUT
        spec:
          env-name: put-made
          os: debian
        """;
    assertThat(api.put(TEMPLATES + "/put-made", Api.YAML, yaml).status()).isEqualTo(201);

    assertThat(api.delete(TEMPLATES + "/crud").status()).isEqualTo(204);
    api.delete(TEMPLATES + "/crud").problem(404);
    api.get(TEMPLATES + "/crud").problem(404);
  }

  @Test
  void invalidTemplatesAreRefusedNamingTheField() {
    Api.Answer unknownLibrary = api.post(TEMPLATES, Api.JSON, template("bad-library", "left-pad"));
    unknownLibrary.problem(422);
    assertThat(unknownLibrary.errorFields()).containsExactly("spec.languages[0].libraries[0]");

    Api.Answer badSpec = api.post(TEMPLATES, Api.JSON,
        "{\"name\": \"bad-spec\", \"spec\": {\"env-name\": \"x\", \"os\": \"debian\", \"resources\": {\"ram\": \"-1G\"}}}");
    badSpec.problem(422);
    assertThat(badSpec.errorFields()).containsExactly("spec.resources.ram");

    Api.Answer mismatch = api.put(TEMPLATES + "/one-name", Api.JSON, template("another-name", "numpy"));
    mismatch.problem(422);
    assertThat(mismatch.errorFields()).containsExactly("name");

    Api.Answer noName = api.post(TEMPLATES, Api.JSON, "{\"spec\": {\"env-name\": \"x\", \"os\": \"debian\"}}");
    noName.problem(422);
    assertThat(noName.errorFields()).containsExactly("name");

    api.get(TEMPLATES + "/bad-library").problem(404);
  }

  @Test
  void instantiatingATemplateAppliesTheOverrides() {
    Api.Answer created = api.post(
        TEMPLATES + "/python-ml/environments", Api.JSON, "{\"resources\": {\"ram\": \"8G\"}, \"env-name\": \"ml-1\"}");

    assertThat(created.status()).as(created.body()).isEqualTo(202);
    String id = created.json().path("id").asText();
    assertThat(created.header("location")).isEqualTo("/api/v1/environments/" + id);
    JsonNode shown = api.get("/api/v1/environments/" + id).json();
    assertThat(shown.path("name").asText()).isEqualTo("ml-1");
    assertThat(shown.path("resources").path("ram").asText()).isEqualTo("8G");
    assertThat(shown.path("resources").path("cpu").asText()).as("kept from the template").isEqualTo("2");
  }

  @Test
  void instantiatingWithoutOverridesUsesTheTemplateAsIs() {
    // (Not jupyter: its generated token needs a secrets key, which this test cluster's gateway lacks.)
    Api.Answer created = api.postEmpty(TEMPLATES + "/pytorch/environments");

    assertThat(created.status()).as(created.body()).isEqualTo(202);
    assertThat(created.json().path("name").asText()).isEqualTo("pytorch");
  }

  @Test
  void aRetriedInstantiationWithTheSameIdempotencyKeyIsTheSameEnvironment() {
    String key = "template-retry-" + java.util.UUID.randomUUID();
    java.util.function.Supplier<Api.Answer> post = () -> api.send(api.request(TEMPLATES + "/pytorch/environments")
        .header("content-type", Api.JSON).header("Idempotency-Key", key)
        .POST(java.net.http.HttpRequest.BodyPublishers.ofString("{\"env-name\": \"pytorch-retried\"}")).build());

    Api.Answer first = post.get();
    Api.Answer retried = post.get();

    assertThat(first.status()).as(first.body()).isEqualTo(202);
    assertThat(retried.status()).as(retried.body()).isEqualTo(202);
    assertThat(retried.json().path("id").asText()).isEqualTo(first.json().path("id").asText());
  }

  @Test
  void instantiationChecksTheMergedConfig() {
    Api.Answer answer = api.post(TEMPLATES + "/python-ml/environments", Api.JSON, "{\"resources\": {\"cpu\": \"abc\"}}");
    answer.problem(422);
    assertThat(answer.errorFields()).containsExactly("resources.cpu");

    api.post(TEMPLATES + "/no-such-template/environments", Api.JSON, "{}").problem(404);
  }

  @Test
  void theCatalogRoundTripsAndRefusesInvalidReplacements() {
    Api.Answer before = api.get("/api/v1/catalog");
    assertThat(before.status()).isEqualTo(200);
    ArrayNode catalog = (ArrayNode) before.json();
    assertThat(osNames(catalog)).contains("debian", "ubuntu");

    ObjectNode extra = ((ObjectNode) catalog.get(0)).deepCopy().put("os", "debian-copy");
    ArrayNode replacement = catalog.deepCopy().add(extra);
    Api.Answer replaced = api.put("/api/v1/catalog", Api.JSON, Api.write(replacement));
    assertThat(replaced.status()).as(replaced.body()).isEqualTo(200);
    assertThat(replaced.json()).isEqualTo(replacement);
    assertThat(api.get("/api/v1/catalog").json()).isEqualTo(replacement);

    Api.Answer invalid = api.put("/api/v1/catalog", Api.JSON, "[{\"os\": \"Not Valid!\", \"base-image\": \"debian:bookworm\"}]");
    invalid.problem(422);
    assertThat(invalid.errorFields()).isNotEmpty().allMatch(field -> field.startsWith("[0]"));
    assertThat(api.get("/api/v1/catalog").json()).as("unchanged by a refused replacement").isEqualTo(replacement);

    api.put("/api/v1/catalog", Api.JSON, "{\"os\": \"debian\"}").problem(422);
  }

  @Test
  void nodesAreListedInTheirShape() {
    Api.Answer nodes = api.get("/api/v1/nodes");

    assertThat(nodes.status()).isEqualTo(200);
    assertThat(nodes.json().path("nodes").isArray()).isTrue();
    assertThat(nodes.json().path("nodes")).isEmpty();
  }

  @Test
  void healthIsUp() {
    Api.Answer health = api.get("/api/v1/health");

    assertThat(health.status()).isEqualTo(200);
    assertThat(health.json().path("status").asText()).isEqualTo("UP");
  }

  private static List<String> names(JsonNode templates) {
    List<String> names = new ArrayList<>();
    templates.forEach(t -> names.add(t.path("name").asText()));
    return names;
  }

  private static List<String> osNames(JsonNode catalog) {
    List<String> names = new ArrayList<>();
    catalog.forEach(os -> names.add(os.path("os").asText()));
    return names;
  }
}
