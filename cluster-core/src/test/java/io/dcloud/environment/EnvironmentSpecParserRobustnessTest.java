package io.dcloud.environment;

import static io.dcloud.environment.EnvironmentSpecParserFixture.DEFAULTS;
import static io.dcloud.environment.EnvironmentSpecParserFixture.LIMITS;
import static io.dcloud.environment.EnvironmentSpecParserFixture.MAPPER;
import static io.dcloud.environment.EnvironmentSpecParserFixture.resource;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dcloud.validation.ValidationException;
import java.io.IOException;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class EnvironmentSpecParserRobustnessTest {

  /**
   * Robustness: every field of a full config replaced, one at a time, by every kind of JSON value
   * (and random deletions) gives a spec or a ValidationException, never another exception.
   */
  @Test
  void neverThrowsAnythingButValidationException() throws IOException {
    ObjectNode full = EnvironmentContractWriter.toContract(
        EnvironmentSpecParser.parse(resource("seed-001-environment.json"), DEFAULTS, LIMITS), MAPPER);
    full.putArray("command").add("x");
    full.putObject("env").put("A", "b");
    full.putObject("constraints").put("k", "v");
    full.putObject("os").put("image-name", "ubuntu").put("version", "22.04").put("tags", "22.04");
    List<JsonNode> junk = List.of(
        MAPPER.nullNode(), MAPPER.createArrayNode(), MAPPER.createObjectNode(), MAPPER.getNodeFactory().textNode(""),
        MAPPER.getNodeFactory().textNode("-1"), MAPPER.getNodeFactory().numberNode(-1),
        MAPPER.getNodeFactory().numberNode(1e300), MAPPER.getNodeFactory().booleanNode(true),
        MAPPER.readTree("[null, 1, {}]"), MAPPER.readTree("{\"ports\": null, \"x\": []}"));
    List<String> paths = JsonPointers.paths(full);
    for (String path : paths) {
      for (JsonNode value : junk) {
        ObjectNode mutated = full.deepCopy();
        JsonPointers.replace(mutated, path, value);
        parseQuietly(mutated);
      }
    }
    Random random = new Random(42);
    for (int i = 0; i < 500; i++) {
      ObjectNode mutated = full.deepCopy();
      for (int j = 0; j < 3; j++) {
        JsonPointers.replace(mutated, paths.get(random.nextInt(paths.size())), junk.get(random.nextInt(junk.size())));
      }
      parseQuietly(mutated);
    }
  }

  private static void parseQuietly(JsonNode root) {
    try {
      EnvironmentSpecParser.parse(root, DEFAULTS, LIMITS);
    } catch (ValidationException expected) {
      assertThat(expected.errors()).isNotEmpty();
    }
  }
}
