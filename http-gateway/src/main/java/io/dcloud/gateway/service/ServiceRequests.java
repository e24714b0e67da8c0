package io.dcloud.gateway.service;

import static io.dcloud.contract.ContractReader.kindOf;
import static io.dcloud.contract.ContractReader.quote;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dcloud.contract.ContractReader;
import io.dcloud.device.BindingSlot;
import io.dcloud.gateway.model.BatchingRequests;
import io.dcloud.service.ServiceDefinition;
import io.dcloud.service.SpreadReader;
import io.dcloud.spec.EnvironmentSpec;
import io.dcloud.validation.FieldError;
import io.dcloud.validation.ValidationException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * Reads the body of {@code POST /services} and {@code PATCH /services/{name}}: every problem is a
 * field error (the environment's own prefixed {@code environment.}), thrown together as one 422.
 */
public final class ServiceRequests {
  static final String NAME = "name";
  static final String KIND = "kind";
  static final String ENVIRONMENT = "environment";
  static final String PORT = "port";
  static final String REPLICAS = "replicas";
  static final String READINESS = "readiness";
  static final String PATH = "path";
  static final String BATCHING = "batching";
  static final String SURGE = "surge";
  static final String SPREAD = SpreadReader.FIELD;
  private static final Set<String> FIELDS =
      Set.of(NAME, KIND, ENVIRONMENT, PORT, REPLICAS, READINESS, BATCHING, SURGE, SPREAD, BindingSlots.BINDINGS,
          AutoscalingRequests.AUTOSCALING);
  /** Short, so "name-ordinal" stays a valid env-name and a DNS label. */
  private static final Pattern SERVICE_NAME = Pattern.compile("[a-z0-9][a-z0-9-]{0,39}");
  private static final int MAX_PATH_LENGTH = 1024;

  /** Bounds the replicas one request can ask for; the scheduler and quotas judge what they cost. */
  private final int maxReplicas;
  private final BatchingRequests batchings;
  private final AutoscalingRequests autoscalings;
  private final ServiceMqttEnv mqtt;

  public ServiceRequests(
      int maxReplicas, BatchingRequests batchings, AutoscalingRequests autoscalings, ServiceMqttEnv mqtt) {
    this.maxReplicas = maxReplicas;
    this.batchings = batchings;
    this.autoscalings = autoscalings;
    this.mqtt = mqtt;
  }

  public static boolean isValidName(String name) {
    return SERVICE_NAME.matcher(name).matches();
  }

  /**
   * The service a body asks for; {@code environments} reads its environment config as {@code POST
   * /environments} does (throwing that parser's ValidationException).
   *
   * @throws ValidationException listing every problem of the body and its environment
   */
  public ServiceDefinition parse(JsonNode body, Function<JsonNode, EnvironmentSpec> environments) {
    if (!body.isObject()) {
      throw ValidationException.of("$", "must be an object with name, kind, environment, port, replicas and readiness");
    }
    List<FieldError> errors = new ArrayList<>();
    for (Map.Entry<String, JsonNode> field : body.properties()) {
      if (!FIELDS.contains(field.getKey())) {
        errors.add(new FieldError(field.getKey(), ContractReader.unknownFieldReason(field.getKey(), FIELDS)));
      }
    }
    String name = name(body.get(NAME), errors);
    ServiceDefinition.Kind kind = kind(body.get(KIND), errors);
    Integer port = port(body.get(PORT), errors);
    ServiceDefinition.Autoscaling autoscaling =
        autoscalings.read(body.get(AutoscalingRequests.AUTOSCALING), AutoscalingRequests.AUTOSCALING + ".", errors);
    // One that scales itself may have none now (scaled to zero, as its definition reads back).
    Integer replicas = replicas(body.get(REPLICAS), true, autoscaling == null ? 1 : 0, errors);
    ServiceDefinition.Readiness readiness = readiness(body.get(READINESS), errors);
    ServiceDefinition.Batching batching = batching(body.get(BATCHING), kind, errors);
    Integer surge = surge(body.get(SURGE), errors);
    ServiceDefinition.Spread spread = SpreadReader.read(body.get(SPREAD), errors);
    List<BindingSlot> bindings = bindings(body.get(BindingSlots.BINDINGS), kind, errors);
    if (autoscaling != null && replicas != null) {
      // Where a service that scales itself starts: its least unless told, and never beyond its bounds.
      replicas = autoscaling.clamp(ContractReader.absent(body.get(REPLICAS)) ? autoscaling.minReplicas() : replicas);
    }
    EnvironmentSpec spec = environment(body.get(ENVIRONMENT), name, environments, errors);
    if (spec != null && name != null && !bindings.isEmpty()) {
      spec = mqtt.addTo(spec, name);
    }
    // Only a published port is reachable by the node that probes (and later calls) a replica.
    if (spec != null && port != null
        && spec.ports().stream().noneMatch(p -> p.containerPort() == port && "tcp".equals(p.protocol()))) {
      errors.add(new FieldError(PORT, port + " is not among the environment's port-publish internal tcp ports: publish it"));
    }
    if (!errors.isEmpty()) {
      throw new ValidationException(errors);
    }
    return new ServiceDefinition(name, kind, spec, null, port, readiness, replicas, batching, bindings, surge, spread,
        autoscaling);
  }

  /** The replica count of a PATCH body. */
  int scale(JsonNode body) {
    List<FieldError> errors = new ArrayList<>();
    if (!body.isObject()) {
      throw ValidationException.of("$", "must be an object such as {\"replicas\": 2}");
    }
    body.properties().forEach(field -> {
      if (!REPLICAS.equals(field.getKey())) {
        errors.add(new FieldError(field.getKey(), ContractReader.unknownFieldReason(field.getKey(), Set.of(REPLICAS))));
      }
    });
    Integer replicas = replicas(body.get(REPLICAS), false, 1, errors);
    if (!errors.isEmpty()) {
      throw new ValidationException(errors);
    }
    return replicas;
  }

  private static String name(JsonNode value, List<FieldError> errors) {
    if (ContractReader.absent(value)) {
      errors.add(new FieldError(NAME, "is required"));
    } else if (!value.isTextual()) {
      errors.add(new FieldError(NAME, "must be a string, not " + kindOf(value)));
    } else if (!isValidName(value.textValue())) {
      errors.add(new FieldError(NAME, quote(value.textValue(), 60) + " must be 1 to 40 lowercase letters, digits and"
          + " '-', starting with a letter or digit"));
    } else {
      return value.textValue();
    }
    return null;
  }

  private static ServiceDefinition.Kind kind(JsonNode value, List<FieldError> errors) {
    if (ContractReader.absent(value)) {
      errors.add(new FieldError(KIND, "is required: \"app\" or \"model\""));
    } else if (!value.isTextual() || !Set.of("app", "model").contains(value.textValue())) {
      errors.add(new FieldError(KIND, "must be \"app\" or \"model\", not " + kindOf(value)));
    } else {
      return ServiceDefinition.Kind.valueOf(value.textValue().toUpperCase(Locale.ROOT));
    }
    return null;
  }

  public static Integer port(JsonNode value, List<FieldError> errors) {
    if (ContractReader.absent(value)) {
      errors.add(new FieldError(PORT, "is required: the container port the replicas serve on"));
    } else if (!value.isIntegralNumber() || !value.canConvertToInt() || value.intValue() < 1 || value.intValue() > 65535) {
      errors.add(new FieldError(PORT, "must be a port number from 1 to 65535, not "
          + (value.isNumber() ? value.asText() : kindOf(value))));
    } else {
      return value.intValue();
    }
    return null;
  }

  private Integer replicas(JsonNode value, boolean optional, int least, List<FieldError> errors) {
    if (ContractReader.absent(value)) {
      if (optional) {
        return 1;
      }
      errors.add(new FieldError(REPLICAS, "is required"));
    } else if (!value.isIntegralNumber() || !value.canConvertToInt() || value.intValue() < least
        || value.intValue() > maxReplicas) {
      errors.add(new FieldError(REPLICAS, "must be a whole number from " + least + " to " + maxReplicas
          + " (dcloud.services.max-replicas),"
          + " not " + (value.isNumber() ? value.asText() : kindOf(value))));
    } else {
      return value.intValue();
    }
    return null;
  }

  /** Optional (null: the default, one): 0 or 1 replicas beyond {@code replicas} while it rolls. */
  private static Integer surge(JsonNode value, List<FieldError> errors) {
    if (ContractReader.absent(value)) {
      return null;
    } else if (!value.isIntegralNumber() || !value.canConvertToInt() || value.intValue() < 0 || value.intValue() > 1) {
      errors.add(new FieldError(SURGE, "must be 1 (a rolling update adds one new replica before it deletes an old one)"
          + " or 0 (it deletes an old replica before it makes the new one), not "
          + (value.isNumber() ? value.asText() : kindOf(value))));
      return null;
    }
    return value.intValue();
  }

  /** Optional, and a model's only: an app answers its calls one by one. */
  private ServiceDefinition.Batching batching(JsonNode value, ServiceDefinition.Kind kind, List<FieldError> errors) {
    if (ContractReader.absent(value)) {
      return null;
    } else if (kind == ServiceDefinition.Kind.APP) {
      errors.add(new FieldError(BATCHING, "is a model's only: an app's calls are never batched"));
      return null;
    }
    return batchings.read(value, BATCHING + ".", errors);
  }

  /** Optional, and an app's only: a model consumes no devices. */
  private static List<BindingSlot> bindings(JsonNode value, ServiceDefinition.Kind kind, List<FieldError> errors) {
    if (!ContractReader.absent(value) && kind == ServiceDefinition.Kind.MODEL) {
      errors.add(new FieldError(BindingSlots.BINDINGS, "is an app's only: a model consumes no devices"));
      return List.of();
    }
    return BindingSlots.read(value, errors);
  }

  public static ServiceDefinition.Readiness readiness(JsonNode value, List<FieldError> errors) {
    if (ContractReader.absent(value)) {
      errors.add(new FieldError(READINESS, "is required: {\"path\": \"/ready\"}, the HTTP path that answers 2xx when a replica"
          + " serves"));
      return null;
    } else if (!value.isObject()) {
      errors.add(new FieldError(READINESS, "must be an object such as {\"path\": \"/ready\"}, not " + kindOf(value)));
      return null;
    }
    value.properties().forEach(field -> {
      if (!PATH.equals(field.getKey())) {
        errors.add(new FieldError(READINESS + "." + field.getKey(), ContractReader.unknownFieldReason(field.getKey(), Set.of(PATH))));
      }
    });
    JsonNode path = value.get(PATH);
    String field = READINESS + "." + PATH;
    if (ContractReader.absent(path)) {
      errors.add(new FieldError(field, "is required"));
    } else if (!path.isTextual() || !path.textValue().startsWith("/") || path.textValue().length() > MAX_PATH_LENGTH
        || path.textValue().chars().anyMatch(c -> c <= ' ' || c >= 127)) {
      errors.add(new FieldError(field, "must be a path starting with '/', of at most " + MAX_PATH_LENGTH
          + " printable ASCII characters without spaces"));
    } else {
      return new ServiceDefinition.Readiness(path.textValue());
    }
    return null;
  }

  /** A config without env-name gets the service's (each replica is then named after it and its ordinal). */
  private static EnvironmentSpec environment(
      JsonNode value, String name, Function<JsonNode, EnvironmentSpec> environments, List<FieldError> errors) {
    if (ContractReader.absent(value)) {
      errors.add(new FieldError(ENVIRONMENT, "is required: an environment config, as POST /api/v1/environments takes"));
      return null;
    } else if (!value.isObject()) {
      errors.add(new FieldError(ENVIRONMENT, "must be an object holding an environment config, not " + kindOf(value)));
      return null;
    }
    ObjectNode config = ((ObjectNode) value).deepCopy();
    if (!config.has("env-name")) {
      config.put("env-name", name == null ? "service" : name);
    }
    try {
      return environments.apply(config);
    } catch (ValidationException invalid) {
      invalid.errors().forEach(e -> errors.add(new FieldError(
          e.field().isEmpty() || "$".equals(e.field()) ? ENVIRONMENT : ENVIRONMENT + "." + e.field(), e.reason())));
      return null;
    }
  }
}
