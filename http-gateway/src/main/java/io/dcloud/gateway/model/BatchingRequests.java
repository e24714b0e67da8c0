package io.dcloud.gateway.model;

import static io.dcloud.contract.ContractReader.kindOf;

import com.fasterxml.jackson.databind.JsonNode;
import io.dcloud.contract.ContractReader;
import io.dcloud.service.ServiceDefinition;
import io.dcloud.validation.FieldError;
import io.dcloud.validation.ValidationException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads a model service's dynamic batching, {@code {"max-size": N, "max-wait-ms": M}}: the body of
 * {@code PUT /services/{name}/batching} and the {@code batching} of {@code POST /services}. A
 * {@code max-size} of 1 is no batching (null). The bounds are a model config's
 * ({@code dcloud.models.batching}), so every config's batching is accepted here too.
 */
public final class BatchingRequests {
  public static final String MAX_SIZE = "max-size";
  public static final String MAX_WAIT_MS = "max-wait-ms";
  private static final Set<String> FIELDS = Set.of(MAX_SIZE, MAX_WAIT_MS);

  private final int maxSize;
  private final int maxWaitMs;

  public BatchingRequests(ModelLimits limits) {
    this.maxSize = limits.maxBatchSize();
    this.maxWaitMs = limits.maxBatchWaitMs();
  }

  /**
   * The body of {@code PUT /services/{name}/batching}.
   *
   * @throws ValidationException naming each bad field
   */
  public ServiceDefinition.Batching parse(JsonNode body) {
    List<FieldError> errors = new ArrayList<>();
    ServiceDefinition.Batching batching = read(body, "", errors);
    if (!errors.isEmpty()) {
      throw new ValidationException(errors);
    }
    return batching;
  }

  /** {@code value} read into {@code errors} (fields named {@code prefix + name}); null: no batching, or bad. */
  public ServiceDefinition.Batching read(JsonNode value, String prefix, List<FieldError> errors) {
    if (!value.isObject()) {
      errors.add(new FieldError(prefix.isEmpty() ? "$" : prefix.substring(0, prefix.length() - 1),
          "must be an object such as {\"max-size\": 16, \"max-wait-ms\": 10}, not " + kindOf(value)));
      return null;
    }
    for (Map.Entry<String, JsonNode> field : value.properties()) {
      if (!FIELDS.contains(field.getKey())) {
        errors.add(new FieldError(prefix + field.getKey(), ContractReader.unknownFieldReason(field.getKey(), FIELDS)));
      }
    }
    Integer size = whole(value.get(MAX_SIZE), prefix + MAX_SIZE, 1, maxSize, null, errors);
    Integer wait = whole(value.get(MAX_WAIT_MS), prefix + MAX_WAIT_MS, 0, maxWaitMs, 0, errors);
    if (size == null || wait == null) {
      return null;
    }
    // One instance per call is what no batching does.
    return size == 1 ? null : new ServiceDefinition.Batching(size, wait);
  }

  private static Integer whole(JsonNode value, String field, int min, int max, Integer absent, List<FieldError> errors) {
    if (ContractReader.absent(value)) {
      if (absent == null) {
        errors.add(new FieldError(field, "is required: a whole number from " + min + " to " + max));
      }
      return absent;
    } else if (!value.isIntegralNumber() || !value.canConvertToInt() || value.intValue() < min || value.intValue() > max) {
      errors.add(new FieldError(field, "must be a whole number from " + min + " to " + max + ", not "
          + (value.isNumber() ? value.asText() : kindOf(value))));
      return null;
    }
    return value.intValue();
  }
}
