package io.dcloud.gateway;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.function.Consumer;
import java.util.stream.Collectors;

/** The seed's environment config (seeds/001) as JSON and YAML test resources, and variations of it. */
public final class Seeds {
  private Seeds() {}

  public static String environmentJson() {
    return resource("/seeds/seed-environment.json");
  }

  public static String environmentYaml() {
    return resource("/seeds/seed-environment.yaml");
  }

  /** The seed config with one change applied, as JSON text. */
  public static String environmentWith(Consumer<ObjectNode> change) {
    ObjectNode config = (ObjectNode) Api.parse(environmentJson());
    change.accept(config);
    return Api.write(config);
  }

  /** The dataset the seed config names (ffs/fsgr/effr) and the version it asks for. */
  static final String SEED_DATASET = "/api/v1/datasets/ffs/fsgr/effr";
  private static final int SEED_DATASET_VERSION = 34;

  /**
   * Uploads the seed config's dataset as {@code admin} until it has the version the seed names (34:
   * versions count up from 1), readable by {@code readers} too, so that the seed config is accepted.
   */
  public static void uploadSeedDataset(Api admin, String... readers) {
    Api.Answer versions = admin.get(SEED_DATASET + "/versions");
    int latest = versions.status() == 200 ? versions.json().path("versions").path(-1).path("version").asInt() : 0;
    for (int version = latest + 1; version <= SEED_DATASET_VERSION; version++) {
      Api.Answer put = admin.put(SEED_DATASET, "text/csv", "version," + version + "\n");
      if (put.status() != 201) {
        throw new IllegalStateException("the seed's dataset was refused: " + put.body());
      }
    }
    String users = Arrays.stream(readers).map(reader -> "\"" + reader + "\"").collect(Collectors.joining(", "));
    Api.Answer shared = admin.put(SEED_DATASET + "/readers", Api.JSON, "{\"users\": [" + users + "]}");
    if (shared.status() != 200) {
      throw new IllegalStateException("the seed's dataset readers were refused: " + shared.body());
    }
  }

  /** A small valid config on the default catalog's debian, named {@code name}. */
  public static String debianEnvironment(String name) {
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
