package io.dcloud.gateway.model;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dcloud.service.SpreadReader;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * A model version as the body of {@code POST /api/v1/services}: a {@code model} service whose
 * replicas are environments of the config's runtime and resources, mounting the version's bundle
 * (dataset {@code models/<name>/bundle}) read-only and running the serving wrapper from it on
 * {@link #PORT}, ready when {@link #READINESS_PATH} answers.
 */
public final class ModelServiceBody {
  static final String KIND = "model";
  public static final int PORT = 8080;
  static final String READINESS_PATH = "/ready";
  static final String CATEGORY = "models";
  static final String BUNDLE = "bundle";
  /**
   * The wrapper is Python 3.11 on Debian 12: the catalog's {@code debian} is bookworm, and its
   * python has the wrapper's own libraries (its HTTP server, and joblib for scikit-learn artifacts).
   */
  public static final String OS = "debian";
  static final List<String> SERVING_LIBRARIES = List.of("flask", "waitress", "joblib");

  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  private ModelServiceBody() {}

  public static ObjectNode of(ModelConfig config, int version) {
    ObjectNode body = NODES.objectNode();
    body.put("name", config.name());
    body.put("kind", KIND);
    body.set("environment", environment(config, version));
    body.put("port", PORT);
    body.put("replicas", config.replicas());
    body.put("surge", config.surge());
    if (config.spread() != null) {
      body.put(SpreadReader.FIELD, SpreadReader.written(config.spread()));
    }
    body.set("readiness", NODES.objectNode().put("path", READINESS_PATH));
    if (config.batching() != null && config.batching().maxSize() > 1) {
      body.set("batching", NODES.objectNode().put(BatchingRequests.MAX_SIZE, config.batching().maxSize())
          .put(BatchingRequests.MAX_WAIT_MS, config.batching().maxWaitMs()));
    }
    return body;
  }

  /** The environment config of one replica (no env-name: DCloud names each replica). */
  static ObjectNode environment(ModelConfig config, int version) {
    ObjectNode environment = NODES.objectNode();
    environment.put("os", OS);
    // The config's libraries first and in order, so a catalog error's index is the config's.
    Set<String> libraries = new LinkedHashSet<>(config.libraries());
    libraries.addAll(SERVING_LIBRARIES);
    ArrayNode names = NODES.arrayNode();
    libraries.forEach(names::add);
    ObjectNode language = NODES.objectNode().put("language-name", config.language());
    language.set("libraries", names);
    environment.set("languages", NODES.arrayNode().add(language));
    if (config.resources() != null && !config.resources().isNull()) {
      environment.set("resources", config.resources().deepCopy());
    }
    ObjectNode bundle = NODES.objectNode().put("dataset-name", BUNDLE).put("version", Integer.toString(version));
    ObjectNode db = NODES.objectNode().put("db-name", config.name());
    db.set("dataset", NODES.arrayNode().add(bundle));
    ObjectNode category = NODES.objectNode().put("category-name", CATEGORY);
    category.set("db", NODES.arrayNode().add(db));
    environment.set("dataset", NODES.arrayNode().add(category));
    // Published inside the cluster only: the node probes and calls a replica on it (no host port).
    ObjectNode internal = NODES.objectNode().put("ports", Integer.toString(PORT)).put("protocol", "tcp");
    environment.set("port-publish", NODES.arrayNode().add(NODES.objectNode().set("internal", internal)));
    environment.set("command", NODES.arrayNode().add("python3").add(directory(config.name()) + "/dcloud_serve.py"));
    environment.set("env", NODES.objectNode().put("PORT", Integer.toString(PORT)));
    return environment;
  }

  /** Where a replica finds the bundle: the dataset's mount path. */
  static String directory(String name) {
    return "/datasets/" + CATEGORY + "/" + name + "/" + BUNDLE;
  }

  /** The dataset that holds the model's versions. */
  public static String datasetId(String name) {
    return io.dcloud.dataset.DatasetIds.of(CATEGORY, name, BUNDLE);
  }
}
