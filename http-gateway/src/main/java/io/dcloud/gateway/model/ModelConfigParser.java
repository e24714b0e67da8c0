package io.dcloud.gateway.model;

import com.fasterxml.jackson.databind.JsonNode;
import io.dcloud.gateway.common.ConfigFields;
import io.dcloud.service.ServiceDefinition;
import io.dcloud.service.SpreadReader;
import io.dcloud.validation.ValidationException;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Reads a model's {@code config} part into a {@link ModelConfig}, naming every bad field at once
 * (422). What only the catalog and the environment parser can judge (the language and libraries,
 * the resources) is {@link io.dcloud.gateway.common.RuntimeChecks}'s.
 */
public final class ModelConfigParser {
  public static final Pattern NAME = ConfigFields.NAME;
  private static final Set<String> FIELDS = Set.of("name", "runtime", "resources", "replicas", "surge", SpreadReader.FIELD,
      "batching", "input-example");
  private static final Set<String> BATCHING_FIELDS = Set.of("max-size", "max-wait-ms");

  private final ModelLimits limits;
  private final ConfigFields fields = new ConfigFields("a model config");

  private ModelConfigParser(ModelLimits limits) {
    this.limits = limits;
  }

  public static ModelConfig parse(JsonNode root, ModelLimits limits) {
    if (root == null || !root.isObject()) {
      throw ValidationException.of("config", "must be a JSON or YAML object with name, runtime, resources, replicas, "
          + "batching and input-example");
    }
    return new ModelConfigParser(limits).config(root);
  }

  private ModelConfig config(JsonNode root) {
    fields.unknown("", root, FIELDS);
    String name = fields.name(root.get("name"));
    ConfigFields.Runtime runtime = fields.runtime(root.get("runtime"));
    JsonNode resources = root.get("resources");
    int replicas = fields.whole("replicas", root.get("replicas"), 1, 1, limits.maxReplicas());
    int surge = fields.whole("surge", root.get("surge"), ServiceDefinition.DEFAULT_SURGE, 0, 1);
    ServiceDefinition.Spread spread = fields.read(errors -> SpreadReader.read(root.get(SpreadReader.FIELD), errors));
    ModelConfig.Batching batching = batching(root.get("batching"));
    fields.throwIfAny();
    return new ModelConfig(name, runtime.language(), runtime.libraries(), resources, replicas, surge, spread, batching,
        root.get("input-example"), root);
  }

  private ModelConfig.Batching batching(JsonNode value) {
    if (value == null || value.isNull()) {
      return ModelConfig.Batching.NONE;
    }
    if (!value.isObject()) {
      fields.error("batching", "must be an object with max-size and max-wait-ms");
      return null;
    }
    fields.unknown("batching.", value, BATCHING_FIELDS);
    int maxSize = fields.whole("batching.max-size", value.get("max-size"), 1, 1, limits.maxBatchSize());
    int maxWaitMs = fields.whole("batching.max-wait-ms", value.get("max-wait-ms"), 0, 0, limits.maxBatchWaitMs());
    return new ModelConfig.Batching(maxSize, maxWaitMs);
  }
}
