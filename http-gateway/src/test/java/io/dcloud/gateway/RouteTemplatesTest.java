package io.dcloud.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Metric labels name routes, never what a caller put in a path. */
class RouteTemplatesTest {
  @Test
  void idsAndNamesBecomePlaceholders() {
    assertThat(RouteTemplates.of("/api/v1/environments")).isEqualTo("/api/v1/environments");
    assertThat(RouteTemplates.of("/api/v1/environments/3f2a-77/logs")).isEqualTo("/api/v1/environments/{}/logs");
    assertThat(RouteTemplates.of("/api/v1/users/alice/tokens/t-1")).isEqualTo("/api/v1/users/{}/tokens/{}");
    assertThat(RouteTemplates.of("/api/v1/users/me")).isEqualTo("/api/v1/users/me");
    assertThat(RouteTemplates.of("/api/v1/templates/my-own-name")).isEqualTo("/api/v1/templates/{}");
  }

  /**
   * Every route the API describes (its OpenAPI document, which OpenApiDocumentTest holds to the whole
   * API) is labelled as its template: a path segment of the API that is not a known literal would
   * be labelled as any unknown path is.
   */
  @Test
  void everyDescribedRouteIsLabelledAsItsTemplate() throws IOException {
    JsonNode document;
    try (InputStream yaml = OpenApiRoute.class.getResourceAsStream("openapi.yaml")) {
      document = new YAMLMapper().readTree(yaml);
    }
    List<String> templates = new ArrayList<>();
    document.path("paths").fieldNames().forEachRemaining(templates::add);
    assertThat(templates).hasSizeGreaterThan(50).filteredOn(template -> !template.endsWith("/{path}")).allSatisfy(template ->
        assertThat(RouteTemplates.of("/api/v1" + template.replaceAll("\\{[^}]+}", "a-name")))
            .as(template).isEqualTo("/api/v1" + template.replaceAll("\\{[^}]+}", "{}")));
  }

  @Test
  void whatLiesBelowAProxiedPortIsOneLabel() {
    assertThat(RouteTemplates.of("/api/v1/environments/3f2a/proxy/8888/api/kernels/k1/channels"))
        .isEqualTo("/api/v1/environments/{}/proxy/{}");
    assertThat(RouteTemplates.of("/api/v1/environments/3f2a/proxy/8888/")).isEqualTo("/api/v1/environments/{}/proxy/{}");
    // A service call's path below call/ is the application's own, however deep.
    assertThat(RouteTemplates.of("/api/v1/services/web/call/a/b/c/d/e")).isEqualTo("/api/v1/services/{}/call");
    assertThat(RouteTemplates.of("/api/v1/services/web/call")).isEqualTo("/api/v1/services/{}/call");
    assertThat(RouteTemplates.of("/api/v1/services/iris/predict")).isEqualTo("/api/v1/services/{}/predict");
    assertThat(RouteTemplates.of("/api/v1/services/iris/stats")).isEqualTo("/api/v1/services/{}/stats");
  }

  @Test
  void pathsOutsideTheApiOrDeeperThanAnyRouteAreOneLabel() {
    assertThat(RouteTemplates.of("/")).isEqualTo(RouteTemplates.OTHER);
    assertThat(RouteTemplates.of("/wp-admin/setup.php")).isEqualTo(RouteTemplates.OTHER);
    assertThat(RouteTemplates.of("/api/v2/environments")).isEqualTo(RouteTemplates.OTHER);
    assertThat(RouteTemplates.of("/api/v1/a/b/c/d/e/f")).isEqualTo(RouteTemplates.OTHER);
  }
}
