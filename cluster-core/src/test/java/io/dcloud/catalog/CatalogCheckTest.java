package io.dcloud.catalog;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.typesafe.config.ConfigFactory;
import io.dcloud.environment.EnvironmentSpecParser;
import io.dcloud.environment.SpecLimits;
import io.dcloud.resources.Resources;
import io.dcloud.spec.EnvironmentSpec;
import io.dcloud.validation.FieldError;
import java.io.IOException;
import java.io.InputStream;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The original project's os object against the catalog: its version and tags must name the base image's tag. */
class CatalogCheckTest {
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final Catalog CATALOG = DefaultCatalog.load();
  private static final Resources DEFAULTS = new Resources(1000, 1L << 30, 0, 0, null);
  private static final SpecLimits LIMITS = SpecLimits.fromConfig(ConfigFactory.load());

  @Test
  void acceptsTheOriginalProjectsConfigWhoseReleaseMatchesTheCatalog() throws IOException {
    assertThat(CatalogCheck.check(CATALOG, spec(original()))).isEmpty();
  }

  @Test
  void refusesAVersionOrTagsOtherThanTheBaseImagesTag() throws IOException {
    ObjectNode config = original();
    ((ObjectNode) config.get("os")).put("version", "20.04").put("tags", "latest");

    assertThat(CatalogCheck.check(CATALOG, spec(config))).containsExactly(
        new FieldError("os.version",
            "\"20.04\" does not match the catalog's ubuntu image ubuntu:22.04: use 22.04 or leave it out"),
        new FieldError("os.tags",
            "\"latest\" does not match the catalog's ubuntu image ubuntu:22.04: use 22.04 or leave it out"));
  }

  @Test
  void theSeedFormNamesNoReleaseToCheck() throws IOException {
    ObjectNode config = original();
    config.put("os", "ubuntu");

    assertThat(CatalogCheck.check(CATALOG, spec(config))).isEmpty();
  }

  @Test
  void aBaseImageWithoutATagNamesNoVersionToDisagreeWith() throws IOException {
    Catalog untagged = CatalogParser.parse(MAPPER.readTree("""
        [{"os": "ubuntu", "base-image": "registry.example.com:5000/ubuntu", "specifications": {
          "python": {"libraries": {"tensorflow": ["pip install tensorflow"], "numpy": ["pip install numpy"],
                                   "pandas": ["pip install pandas"], "jupyter-notebook": ["pip install notebook"]}},
          "golang": {}}}]"""));

    assertThat(CatalogCheck.check(untagged, spec(original()))).isEmpty();
  }

  @Test
  void findsTheTagOfAnImageReference() {
    assertThat(CatalogCheck.tagOf("ubuntu:22.04")).contains("22.04");
    assertThat(CatalogCheck.tagOf("registry.example.com:5000/team/ubuntu:22.04@sha256:" + "a".repeat(64)))
        .contains("22.04");
    assertThat(CatalogCheck.tagOf("registry.example.com:5000/team/ubuntu")).isEqualTo(Optional.empty());
    assertThat(CatalogCheck.tagOf("ubuntu@sha256:" + "a".repeat(64))).isEqualTo(Optional.empty());
  }

  private static EnvironmentSpec spec(JsonNode config) {
    return EnvironmentSpecParser.parse(config, DEFAULTS, LIMITS);
  }

  private static ObjectNode original() throws IOException {
    try (InputStream in = CatalogCheckTest.class.getResourceAsStream("/io/dcloud/environment/original-environment.json")) {
      return (ObjectNode) MAPPER.readTree(in);
    }
  }
}
