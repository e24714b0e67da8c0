package io.dcloud.environment;

import static io.dcloud.resources.Quantities.GIB;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.ConfigFactory;
import io.dcloud.resources.Resources;
import io.dcloud.spec.EnvironmentSpec;
import java.io.IOException;
import java.io.InputStream;

/** What the environment config's tests share: the parser's defaults and limits, and configs to give it. */
final class EnvironmentSpecParserFixture {
  static final ObjectMapper MAPPER = new ObjectMapper();
  static final Resources DEFAULTS = new Resources(1000, 2 * GIB, 0, 10 * GIB, null);
  static final SpecLimits LIMITS = SpecLimits.fromConfig(ConfigFactory.load());

  private EnvironmentSpecParserFixture() {}

  /** {@code spec} as clients see it: every variable's value (env and secret-env) hidden. */
  static EnvironmentSpec valuesHidden(EnvironmentSpec spec) {
    return new EnvironmentSpec(
        spec.name(), spec.version(), spec.os(), spec.osRelease(), spec.languages(), spec.resources(), spec.datasets(),
        spec.ports(), spec.storage(), spec.command(), EnvironmentSpec.hidingValues(spec.env()), spec.constraints(),
        spec.restartPolicy(), EnvironmentSpec.hidingValues(spec.secretEnv()));
  }

  /** A minimal valid config with {@code fields} added (or overriding env-name/os). */
  static String config(String fields) {
    return "{\"env-name\": \"a\", \"os\": \"debian\", " + fields + "}";
  }

  static EnvironmentSpec parse(String json) {
    try {
      return EnvironmentSpecParser.parse(MAPPER.readTree(json), DEFAULTS, LIMITS);
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  static JsonNode resource(String name) throws IOException {
    try (InputStream in = EnvironmentSpecParserFixture.class.getResourceAsStream(name)) {
      assertThat(in).as(name).isNotNull();
      return MAPPER.readTree(in);
    }
  }
}
