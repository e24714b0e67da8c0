package io.dcloud.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import io.dcloud.validation.FieldError;
import io.dcloud.validation.ValidationException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Reads a model's {@code config} part into a {@link ModelConfig}, naming every bad field at once
 * (422). What only the catalog and the environment parser can judge (the language and libraries,
 * the resources) is {@link ModelChecks}'s.
 */
final class ModelConfigParser {
  /** A service's name: a DNS label short enough to prefix its replicas' names. */
  static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9-]{0,39}");
  private static final Set<String> FIELDS = Set.of("name", "runtime", "resources", "replicas", "batching",
      "input-example");
  private static final Set<String> RUNTIME_FIELDS = Set.of("language-name", "libraries");
  private static final Set<String> BATCHING_FIELDS = Set.of("max-size", "max-wait-ms");

  private final ModelLimits limits;
  private final List<FieldError> errors = new ArrayList<>();

  private ModelConfigParser(ModelLimits limits) {
    this.limits = limits;
  }

  static ModelConfig parse(JsonNode root, ModelLimits limits) {
    if (root == null || !root.isObject()) {
      throw ValidationException.of("config", "must be a JSON or YAML object with name, runtime, resources, replicas, "
          + "batching and input-example");
    }
    return new ModelConfigParser(limits).config(root);
  }

  private ModelConfig config(JsonNode root) {
    unknown("", root, FIELDS);
    String name = name(root.get("name"));
    JsonNode runtime = root.get("runtime");
    String language = null;
    List<String> libraries = List.of();
    if (runtime == null || !runtime.isObject()) {
      errors.add(new FieldError("runtime", "is required: an object with language-name and libraries"));
    } else {
      unknown("runtime.", runtime, RUNTIME_FIELDS);
      language = text("runtime.language-name", runtime.get("language-name"));
      libraries = libraries(runtime.get("libraries"));
    }
    JsonNode resources = root.get("resources");
    int replicas = whole("replicas", root.get("replicas"), 1, 1, limits.maxReplicas());
    ModelConfig.Batching batching = batching(root.get("batching"));
    if (!errors.isEmpty()) {
      throw new ValidationException(List.copyOf(errors));
    }
    return new ModelConfig(name, language, libraries, resources, replicas, batching, root.get("input-example"), root);
  }

  private String name(JsonNode value) {
    if (value == null || !value.isTextual() || !NAME.matcher(value.asText()).matches()) {
      errors.add(new FieldError("name", "is required: 1 to 40 lowercase letters, digits or '-', starting with a "
          + "letter or digit"));
      return null;
    }
    return value.asText();
  }

  private String text(String field, JsonNode value) {
    if (value == null || !value.isTextual() || value.asText().isBlank()) {
      errors.add(new FieldError(field, "is required: a language of the catalog, e.g. python"));
      return null;
    }
    return value.asText();
  }

  private List<String> libraries(JsonNode value) {
    if (value == null || value.isNull()) {
      return List.of();
    }
    if (!value.isArray()) {
      errors.add(new FieldError("runtime.libraries", "must be a list of catalog library names"));
      return List.of();
    }
    List<String> libraries = new ArrayList<>();
    for (int i = 0; i < value.size(); i++) {
      JsonNode library = value.get(i);
      if (!library.isTextual() || library.asText().isBlank()) {
        errors.add(new FieldError("runtime.libraries[" + i + "]", "must be a catalog library name"));
      } else {
        libraries.add(library.asText());
      }
    }
    return List.copyOf(libraries);
  }

  private ModelConfig.Batching batching(JsonNode value) {
    if (value == null || value.isNull()) {
      return ModelConfig.Batching.NONE;
    }
    if (!value.isObject()) {
      errors.add(new FieldError("batching", "must be an object with max-size and max-wait-ms"));
      return null;
    }
    unknown("batching.", value, BATCHING_FIELDS);
    int maxSize = whole("batching.max-size", value.get("max-size"), 1, 1, limits.maxBatchSize());
    int maxWaitMs = whole("batching.max-wait-ms", value.get("max-wait-ms"), 0, 0, limits.maxBatchWaitMs());
    return new ModelConfig.Batching(maxSize, maxWaitMs);
  }

  private int whole(String field, JsonNode value, int absent, int min, int max) {
    if (value == null || value.isNull()) {
      return absent;
    }
    if (!value.canConvertToExactIntegral() || !value.canConvertToInt() || value.asInt() < min || value.asInt() > max) {
      errors.add(new FieldError(field, "must be a whole number from " + min + " to " + max));
      return absent;
    }
    return value.asInt();
  }

  private void unknown(String prefix, JsonNode object, Set<String> known) {
    for (Iterator<String> names = object.fieldNames(); names.hasNext(); ) {
      String name = names.next();
      if (!known.contains(name)) {
        errors.add(new FieldError(prefix + name, "is not a field of a model config (known: "
            + known.stream().sorted().toList() + ")"));
      }
    }
  }
}
