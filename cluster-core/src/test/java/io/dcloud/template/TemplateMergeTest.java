package io.dcloud.template;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import org.junit.jupiter.api.Test;

class TemplateMergeTest {

  private static final ObjectMapper MAPPER = new ObjectMapper();

  @Test
  void mergesObjectsDeeplyAndReplacesArraysAndScalars() {
    JsonNode template = json("""
        {"env-name": "python-ml", "os": "debian",
         "languages": [{"language-name": "python", "libraries": ["numpy", "pandas"]}],
         "resources": {"cpu": "2", "ram": "4G"}}""");
    JsonNode overrides = json("""
        {"env-name": "mine", "languages": [{"language-name": "r"}], "resources": {"ram": "8G", "gpu": 1}}""");

    assertThat(TemplateMerge.apply(template, overrides)).isEqualTo(json("""
        {"env-name": "mine", "os": "debian",
         "languages": [{"language-name": "r"}],
         "resources": {"cpu": "2", "ram": "8G", "gpu": 1}}"""));
  }

  @Test
  void leavesBothInputsUntouched() {
    JsonNode template = json("{\"resources\": {\"cpu\": \"2\"}, \"command\": [\"a\"]}");
    JsonNode overrides = json("{\"resources\": {\"cpu\": \"4\", \"x\": {\"y\": 1}}, \"command\": [\"b\"]}");
    JsonNode templateBefore = template.deepCopy();
    JsonNode overridesBefore = overrides.deepCopy();

    JsonNode merged = TemplateMerge.apply(template, overrides);
    ((ObjectNode) merged.get("resources").get("x")).put("z", 2);

    assertThat(template).isEqualTo(templateBefore);
    assertThat(overrides).isEqualTo(overridesBefore);
  }

  @Test
  void anObjectReplacesAScalarAndNullReplacesAValue() {
    assertThat(TemplateMerge.apply(json("{\"a\": 1, \"b\": 2}"), json("{\"a\": {\"c\": 3}, \"b\": null}")))
        .isEqualTo(json("{\"a\": {\"c\": 3}, \"b\": null}"));
  }

  @Test
  void missingOverridesGiveACopyOfTheTemplate() {
    JsonNode template = json("{\"a\": [1]}");

    JsonNode merged = TemplateMerge.apply(template, null);
    assertThat(merged).isEqualTo(template).isNotSameAs(template);
    assertThat(TemplateMerge.apply(template, MAPPER.missingNode())).isEqualTo(template);
    assertThat(TemplateMerge.apply(null, template)).isEqualTo(template);
  }

  private static JsonNode json(String text) {
    try {
      return MAPPER.readTree(text);
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }
}
