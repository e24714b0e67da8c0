package io.dcloud.gateway.service;

import static io.dcloud.contract.ContractReader.kindOf;
import static io.dcloud.contract.ContractReader.quote;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.typesafe.config.Config;
import io.dcloud.contract.ContractReader;
import io.dcloud.service.ServiceDefinition;
import io.dcloud.spec.Durations;
import io.dcloud.validation.FieldError;
import io.dcloud.validation.ValidationException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads a service's autoscaling, {@code {"min-replicas": 1, "max-replicas": 4,
 * "target-ongoing-requests": 2, "upscale-delay": "30s", "downscale-delay": "10m"}}: the body of
 * {@code PUT /services/{name}/autoscaling} and the {@code autoscaling} of a service's definition. The
 * bounds are required; the rest default to {@code dcloud.services.autoscaling}'s.
 */
public final class AutoscalingRequests {
  static final String AUTOSCALING = "autoscaling";
  static final String MIN_REPLICAS = "min-replicas";
  static final String MAX_REPLICAS = "max-replicas";
  static final String TARGET = "target-ongoing-requests";
  static final String UPSCALE_DELAY = "upscale-delay";
  static final String DOWNSCALE_DELAY = "downscale-delay";
  private static final Set<String> FIELDS = Set.of(MIN_REPLICAS, MAX_REPLICAS, TARGET, UPSCALE_DELAY, DOWNSCALE_DELAY);
  /** More calls in progress than this per replica is no target: one replica of any service would be swamped. */
  private static final double MAX_TARGET = 10_000;
  /** A delay past a day is a service that never scales: off says that better. */
  private static final Duration MAX_DELAY = Duration.ofDays(1);

  private final int maxReplicas;
  private final double defaultTarget;
  private final Duration defaultUpscaleDelay;
  private final Duration defaultDownscaleDelay;

  AutoscalingRequests(int maxReplicas, double defaultTarget, Duration defaultUpscaleDelay, Duration defaultDownscaleDelay) {
    this.maxReplicas = maxReplicas;
    this.defaultTarget = defaultTarget;
    this.defaultUpscaleDelay = defaultUpscaleDelay;
    this.defaultDownscaleDelay = defaultDownscaleDelay;
  }

  /** {@code root} is the whole configuration. */
  public static AutoscalingRequests fromConfig(Config root) {
    Config autoscaling = root.getConfig("dcloud.services.autoscaling");
    return new AutoscalingRequests(root.getInt("dcloud.services.max-replicas"),
        autoscaling.getDouble("target-ongoing-requests"), autoscaling.getDuration("upscale-delay"),
        autoscaling.getDuration("downscale-delay"));
  }

  /**
   * The body of {@code PUT /services/{name}/autoscaling}.
   *
   * @throws ValidationException naming each bad field
   */
  ServiceDefinition.Autoscaling parse(JsonNode body) {
    List<FieldError> errors = new ArrayList<>();
    ServiceDefinition.Autoscaling autoscaling = read(body, "", errors);
    if (!errors.isEmpty()) {
      throw new ValidationException(errors);
    }
    return autoscaling;
  }

  /** {@code value} read into {@code errors} (fields named {@code prefix + name}); null when absent or bad. */
  ServiceDefinition.Autoscaling read(JsonNode value, String prefix, List<FieldError> errors) {
    if (ContractReader.absent(value)) {
      return null;
    } else if (!value.isObject()) {
      errors.add(new FieldError(prefix.isEmpty() ? "$" : prefix.substring(0, prefix.length() - 1),
          "must be an object such as {\"min-replicas\": 1, \"max-replicas\": 4}, not " + kindOf(value)));
      return null;
    }
    int before = errors.size();
    for (Map.Entry<String, JsonNode> field : value.properties()) {
      if (!FIELDS.contains(field.getKey())) {
        errors.add(new FieldError(prefix + field.getKey(), ContractReader.unknownFieldReason(field.getKey(), FIELDS)));
      }
    }
    // A least of 0 scales the service to zero when nobody calls it: the first call waits for a replica.
    Integer min = replicas(value.get(MIN_REPLICAS), prefix + MIN_REPLICAS, 0, errors);
    Integer max = replicas(value.get(MAX_REPLICAS), prefix + MAX_REPLICAS, min == null ? 1 : Math.max(1, min), errors);
    Double target = target(value.get(TARGET), prefix + TARGET, errors);
    Duration up = delay(value.get(UPSCALE_DELAY), prefix + UPSCALE_DELAY, defaultUpscaleDelay, errors);
    Duration down = delay(value.get(DOWNSCALE_DELAY), prefix + DOWNSCALE_DELAY, defaultDownscaleDelay, errors);
    return errors.size() > before ? null : new ServiceDefinition.Autoscaling(min, max, target, up, down);
  }

  /** As {@link #read} takes it, to be edited and applied again. */
  static ObjectNode written(ServiceDefinition.Autoscaling autoscaling) {
    ObjectNode node = JsonNodeFactory.instance.objectNode().put(MIN_REPLICAS, autoscaling.minReplicas())
        .put(MAX_REPLICAS, autoscaling.maxReplicas());
    if (autoscaling.targetOngoingRequests() == Math.rint(autoscaling.targetOngoingRequests())) {
      node.put(TARGET, (long) autoscaling.targetOngoingRequests());
    } else {
      node.put(TARGET, autoscaling.targetOngoingRequests());
    }
    return node.put(UPSCALE_DELAY, Durations.format(autoscaling.upscaleDelay()))
        .put(DOWNSCALE_DELAY, Durations.format(autoscaling.downscaleDelay()));
  }

  private Integer replicas(JsonNode value, String field, int least, List<FieldError> errors) {
    if (ContractReader.absent(value)) {
      errors.add(new FieldError(field, "is required: a whole number from " + least + " to " + maxReplicas));
    } else if (!value.isIntegralNumber() || !value.canConvertToInt() || value.intValue() < least
        || value.intValue() > maxReplicas) {
      errors.add(new FieldError(field, "must be a whole number from " + least + " to " + maxReplicas
          + (least > 1 ? " (at least min-replicas)" : "") + " (dcloud.services.max-replicas), not "
          + (value.isNumber() ? value.asText() : kindOf(value))));
    } else {
      return value.intValue();
    }
    return null;
  }

  private Double target(JsonNode value, String field, List<FieldError> errors) {
    if (ContractReader.absent(value)) {
      return defaultTarget;
    } else if (!value.isNumber() || !(value.doubleValue() > 0) || value.doubleValue() > MAX_TARGET) {
      errors.add(new FieldError(field, "must be a number of calls in progress per replica above 0 and at most "
          + (long) MAX_TARGET + ", not " + (value.isNumber() ? value.asText() : kindOf(value))));
      return null;
    }
    return value.doubleValue();
  }

  private static Duration delay(JsonNode value, String field, Duration absent, List<FieldError> errors) {
    if (ContractReader.absent(value)) {
      return absent;
    }
    Duration delay = value.isTextual() ? Durations.parse(value.textValue()).orElse(null) : null;
    if (delay == null || delay.compareTo(MAX_DELAY) > 0) {
      errors.add(new FieldError(field, "must be a duration from \"0s\" to \"1d\" such as \"30s\" or \"10m\", not "
          + (value.isTextual() ? quote(value.textValue(), 40) : kindOf(value))));
    }
    return delay;
  }
}
