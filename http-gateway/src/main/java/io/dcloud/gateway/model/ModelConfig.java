package io.dcloud.gateway.model;

import com.fasterxml.jackson.databind.JsonNode;
import io.dcloud.service.ServiceDefinition;
import java.util.List;

/**
 * A model's {@code config} part, validated ({@link ModelConfigParser}): its name (the service's and
 * the dataset's {@code models/<name>/bundle}), its Python runtime from the catalog, the resources
 * of one replica (as an environment's, null: the cluster's defaults), how many replicas, how many
 * more a new version's roll may add ({@code surge}: 1 or 0), how requests are batched, and an example request. {@code document} is the config as sent (YAML made
 * JSON): what the bundle keeps as {@code config.json}.
 */
record ModelConfig(
    String name,
    String language,
    List<String> libraries,
    JsonNode resources,
    int replicas,
    int surge,
    ServiceDefinition.Spread spread,
    Batching batching,
    JsonNode inputExample,
    JsonNode document) {

  /** Requests that arrive within {@code maxWaitMs} go to one replica together, up to {@code maxSize}. */
  record Batching(int maxSize, int maxWaitMs) {
    /** None: each request alone. */
    static final Batching NONE = new Batching(1, 0);
  }
}
