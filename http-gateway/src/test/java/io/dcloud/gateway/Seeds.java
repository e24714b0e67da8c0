package io.dcloud.gateway;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;

/** The seed's environment config (seeds/001) as JSON and YAML test resources, and variations of it. */
final class Seeds {
  private Seeds() {}

  static String environmentJson() {
    return resource("/seeds/seed-environment.json");
  }

  static String environmentYaml() {
    return resource("/seeds/seed-environment.yaml");
  }

  /** The seed config with one change applied, as JSON text. */
  static String environmentWith(Consumer<ObjectNode> change) {
    ObjectNode config = (ObjectNode) Api.parse(environmentJson());
    change.accept(config);
    return Api.write(config);
  }

  /** A small valid config on the default catalog's debian, named {@code name}. */
  static String debianEnvironment(String name) {
    return """
        {"env-name": "%s", "os": "debian",
         "languages": [{"language-name": "python", "libraries": ["numpy"]}],
         "resources": {"ram": "512M", "cpu": "0.5"}}
        """.formatted(name);
  }

  private static String resource(String name) {
    try (InputStream in = Seeds.class.getResourceAsStream(name)) {
      if (in == null) {
        throw new IllegalStateException("missing test resource " + name);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
