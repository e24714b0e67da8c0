package io.dcloud.environment;

import static io.dcloud.environment.EnvironmentSpecParserFixture.DEFAULTS;
import static io.dcloud.environment.EnvironmentSpecParserFixture.LIMITS;
import static io.dcloud.environment.EnvironmentSpecParserFixture.MAPPER;
import static io.dcloud.environment.EnvironmentSpecParserFixture.parse;
import static io.dcloud.environment.EnvironmentSpecParserFixture.resource;
import static io.dcloud.environment.EnvironmentSpecParserFixture.valuesHidden;
import static io.dcloud.resources.Quantities.GIB;
import static io.dcloud.resources.Quantities.MIB;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dcloud.resources.Resources;
import io.dcloud.spec.EnvironmentSpec;
import io.dcloud.spec.EnvironmentSpec.DatasetRef;
import io.dcloud.spec.EnvironmentSpec.LanguageSpec;
import io.dcloud.spec.EnvironmentSpec.Lifecycle;
import io.dcloud.spec.EnvironmentSpec.OsRelease;
import io.dcloud.spec.EnvironmentSpec.PortSpec;
import io.dcloud.spec.EnvironmentSpec.RestartPolicy;
import io.dcloud.spec.EnvironmentSpec.VolumeSpec;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A spec written back as a contract ({@link EnvironmentContractWriter}): in the contract's spelling, and read back the same. */
class EnvironmentContractWriterTest {

  @Test
  void toContractRoundTrips() throws IOException {
    EnvironmentSpec seed = EnvironmentSpecParser.parse(resource("seed-001-environment.json"), DEFAULTS, LIMITS);
    EnvironmentSpec rich = new EnvironmentSpec(
        "rich", "2.5", "debian", null,
        List.of(new LanguageSpec("python", List.of("numpy", "pandas")), new LanguageSpec("golang", List.of())),
        new Resources(1500, 1536 * MIB + 7, 3, 0, "T4"),
        // Non-consecutive repeats of a category must come back in the same order.
        List.of(new DatasetRef("a", "x", "1", null), new DatasetRef("b", "y", "2", "v2"), new DatasetRef("a", "x", "3", "1")),
        List.of(new PortSpec(null, 8888, "tcp"), new PortSpec(30080, 80, "udp")),
        List.of(new VolumeSpec("/data", 5 * GIB, Lifecycle.PERSISTENT)),
        List.of("sleep", "infinity"),
        orderedMap("B", "2", "A", "1"),
        Map.of("zone", "eu"),
        RestartPolicy.ON_FAILURE);

    EnvironmentSpec original = EnvironmentSpecParser.parse(resource("original-environment.json"), DEFAULTS, LIMITS);
    EnvironmentSpec versionOnly = new EnvironmentSpec(
        "pinned", "1", "ubuntu", new OsRelease("22.04", null), List.of(), DEFAULTS, List.of(), List.of(), List.of(),
        List.of(), Map.of(), Map.of(), RestartPolicy.ALWAYS);

    for (EnvironmentSpec spec : List.of(seed, rich, original, versionOnly)) {
      ObjectNode contract = EnvironmentContractWriter.toContract(spec, MAPPER);
      // Other defaults must not matter: toContract writes every resource. Variable values are
      // write-only: only their names come back.
      assertThat(EnvironmentSpecParser.parse(contract, Resources.NONE, LIMITS)).isEqualTo(valuesHidden(spec));
      // And it survives a trip through text.
      JsonNode reread = MAPPER.readTree(MAPPER.writeValueAsString(contract));
      assertThat(EnvironmentSpecParser.parse(reread, Resources.NONE, LIMITS)).isEqualTo(valuesHidden(spec));
    }
  }

  @Test
  void toContractUsesTheContractSpelling() {
    ObjectNode contract = EnvironmentContractWriter.toContract(parse("""
        {"env-name": "a", "os": "debian", "resources": {"ram": "1G", "cpu": "1.5"},
         "port-publish": [{"internal": {"ports": 80}}], "restart-policy": "on-failure"}"""), MAPPER);

    assertThat(contract.get("resources").get("ram").asText()).isEqualTo("1G");
    assertThat(contract.get("resources").get("cpu").asText()).isEqualTo("1.5");
    assertThat(contract.get("port-publish").get(0).has("external")).isFalse();
    assertThat(contract.get("port-publish").get(0).get("internal").get("protocol").asText()).isEqualTo("tcp");
    assertThat(contract.get("restart-policy").asText()).isEqualTo("on-failure");
  }

  @Test
  void toContractWritesTheOsObjectOnlyWhenAReleaseWasAskedFor() throws IOException {
    ObjectNode original = EnvironmentContractWriter.toContract(
        EnvironmentSpecParser.parse(resource("original-environment.json"), DEFAULTS, LIMITS), MAPPER);
    ObjectNode seed = EnvironmentContractWriter.toContract(
        EnvironmentSpecParser.parse(resource("seed-001-environment.json"), DEFAULTS, LIMITS), MAPPER);

    assertThat(original.get("os")).isEqualTo(
        MAPPER.createObjectNode().put("image-name", "ubuntu").put("version", "22.04").put("tags", "22.04"));
    assertThat(seed.get("os").textValue()).isEqualTo("ubuntu");
  }

  private static Map<String, String> orderedMap(String... keysAndValues) {
    Map<String, String> map = new LinkedHashMap<>();
    for (int i = 0; i < keysAndValues.length; i += 2) {
      map.put(keysAndValues[i], keysAndValues[i + 1]);
    }
    return map;
  }
}
