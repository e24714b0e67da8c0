package io.dcloud.gateway.app;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dcloud.service.SpreadReader;
import io.dcloud.gateway.model.ModelServiceBody;
import io.dcloud.gateway.service.BindingSlots;

/**
 * An app's source version as the body of {@code POST /api/v1/services}: an {@code app} service
 * whose replicas are environments of the config's runtime and resources, mounting the version
 * (dataset {@code apps/<name>/source}, a directory) read-only and running the config's command
 * in it, on the config's port (published, so the node can probe and proxy it).
 */
public final class AppServiceBody {
  static final String KIND = "app";
  static final String CATEGORY = "apps";
  /** The catalog's Debian, as a model's replicas run: one base image for both. */
  static final String OS = ModelServiceBody.OS;

  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  private AppServiceBody() {}

  public static ObjectNode of(AppConfig config, int version) {
    ObjectNode body = NODES.objectNode();
    body.put("name", config.name());
    body.put("kind", KIND);
    body.set("environment", environment(config, version));
    body.put("port", config.port());
    body.put("replicas", config.replicas() == null ? 1 : config.replicas());
    body.put("surge", config.surge());
    if (config.spread() != null) {
      body.put(SpreadReader.FIELD, SpreadReader.written(config.spread()));
    }
    body.set("readiness", NODES.objectNode().put("path", config.readinessPath()));
    if (!config.bindings().isEmpty()) {
      ArrayNode bindings = body.putArray(BindingSlots.BINDINGS);
      config.bindings().forEach(slot ->
          bindings.addObject().put("type", slot.type()).put("min", slot.min()).put("max", slot.max()));
    }
    return body;
  }

  /** The environment config of one replica (no env-name: DCloud names each replica). */
  static ObjectNode environment(AppConfig config, int version) {
    ObjectNode environment = NODES.objectNode();
    environment.put("os", OS);
    ArrayNode libraries = NODES.arrayNode();
    config.libraries().forEach(libraries::add);
    ObjectNode language = NODES.objectNode().put("language-name", config.language());
    language.set("libraries", libraries);
    environment.set("languages", NODES.arrayNode().add(language));
    if (config.resources() != null && !config.resources().isNull()) {
      environment.set("resources", config.resources().deepCopy());
    }
    ObjectNode source = NODES.objectNode().put("dataset-name", AppArchive.SOURCE)
        .put("version", Integer.toString(version));
    ObjectNode db = NODES.objectNode().put("db-name", config.name());
    db.set("dataset", NODES.arrayNode().add(source));
    ObjectNode category = NODES.objectNode().put("category-name", CATEGORY);
    category.set("db", NODES.arrayNode().add(db));
    environment.set("dataset", NODES.arrayNode().add(category));
    ObjectNode internal = NODES.objectNode().put("ports", config.port()).put("protocol", "tcp");
    environment.set("port-publish", NODES.arrayNode().add(NODES.objectNode().set("internal", internal)));
    environment.set("command", command(config));
    if (config.env() != null) {
      environment.set("env", config.env().deepCopy());
    }
    return environment;
  }

  /**
   * The config's command, run in the source directory: a list is exec'd there (its words passed to
   * the shell as "$@", never re-parsed, and the app becomes the container's main process), a shell
   * line is run by the shell there.
   */
  static ArrayNode command(AppConfig config) {
    String into = "cd " + directory(config.name()) + " && ";
    ArrayNode command = NODES.arrayNode().add("sh").add("-c");
    if (config.command().line() != null) {
      return command.add(into + config.command().line());
    }
    command.add(into + "exec \"$@\"").add("sh");
    config.command().argv().forEach(command::add);
    return command;
  }

  /** Where a replica finds the source: the dataset's mount path (names are [a-z0-9-], nothing to quote). */
  static String directory(String name) {
    return "/datasets/" + CATEGORY + "/" + name + "/" + AppArchive.SOURCE;
  }

  /** The dataset that holds the app's source versions. */
  static String datasetId(String name) {
    return io.dcloud.dataset.DatasetIds.of(CATEGORY, name, AppArchive.SOURCE);
  }
}
