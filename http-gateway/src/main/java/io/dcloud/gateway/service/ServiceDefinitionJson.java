package io.dcloud.gateway.service;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dcloud.environment.EnvironmentContractWriter;
import io.dcloud.gateway.model.BatchingRequests;
import io.dcloud.service.ServiceDefinition;
import io.dcloud.service.SpreadReader;
import io.dcloud.spec.EnvironmentSpec;
import io.dcloud.validation.FieldError;
import io.dcloud.validation.ValidationException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * A service's definition as {@code POST} and {@code PUT /services/{name}} take it, written back
 * ({@code GET /services/{name}/definition}) to be edited and applied again. Its environment is the
 * replicas' config as an environment shows it: variables' values never leave DCloud, each written as
 * {@link EnvironmentSpec#HIDDEN_VALUE}; sent back so, a variable keeps the value the service has
 * ({@link #keepingValues}). What DCloud adds itself is left out: the replicas' name, and the broker
 * account's variables of an app with bindings (added again on apply).
 */
final class ServiceDefinitionJson {
  private ServiceDefinitionJson() {}

  private static final String ENVIRONMENT = ServiceRequests.ENVIRONMENT;
  private static final String ENV = "env";
  private static final String SECRET_ENV = "secret-env";

  /** {@code replicas}: the count now (a scale since the version changes it, not the definition). */
  static ObjectNode of(ServiceDefinition definition, int replicas, ObjectMapper mapper) {
    ObjectNode root = mapper.createObjectNode()
        .put(ServiceRequests.NAME, definition.name())
        .put(ServiceRequests.KIND, definition.kind().name().toLowerCase(Locale.ROOT))
        .put(ServiceRequests.PORT, definition.port())
        .put(ServiceRequests.REPLICAS, replicas)
        .put(ServiceRequests.SURGE, definition.rollingSurge())
        .put(ServiceRequests.SPREAD, SpreadReader.written(definition.spreadRequired()
            ? ServiceDefinition.Spread.REQUIRED : ServiceDefinition.Spread.PREFERRED));
    if (definition.readiness() != null) {
      root.putObject(ServiceRequests.READINESS).put(ServiceRequests.PATH, definition.readiness().path());
    }
    if (definition.batching() != null) {
      root.putObject(ServiceRequests.BATCHING).put(BatchingRequests.MAX_SIZE, definition.batching().maxSize())
          .put(BatchingRequests.MAX_WAIT_MS, definition.batching().maxWaitMs());
    }
    if (definition.autoscaling() != null) {
      root.set(AutoscalingRequests.AUTOSCALING, AutoscalingRequests.written(definition.autoscaling()));
    }
    if (!definition.bindings().isEmpty()) {
      ArrayNode bindings = root.putArray(BindingSlots.BINDINGS);
      definition.bindings().forEach(slot ->
          bindings.addObject().put("type", slot.type()).put("min", slot.min()).put("max", slot.max()));
    }
    ObjectNode environment = EnvironmentContractWriter.toContract(definition.spec(), mapper);
    environment.remove("env-name");
    if (!definition.bindings().isEmpty()) {
      ServiceMqttEnv.VARIABLES.forEach(name -> {
        ((ObjectNode) environment.path(ENV)).remove(name);
        if (environment.path(SECRET_ENV).isObject()) {
          ((ObjectNode) environment.get(SECRET_ENV)).remove(name);
        }
      });
      if (environment.path(SECRET_ENV).isEmpty()) {
        environment.remove(SECRET_ENV);
      }
    }
    root.set(ENVIRONMENT, environment);
    return root;
  }

  /** The variables a body's environment sends back unseen ({@link EnvironmentSpec#HIDDEN_VALUE}), env and secret-env apart. */
  record Unseen(Set<String> env, Set<String> secretEnv) {
    static final Unseen NONE = new Unseen(Set.of(), Set.of());

    static Unseen in(JsonNode body) {
      JsonNode environment = body.path(ENVIRONMENT);
      return new Unseen(hidden(environment.path(ENV)), hidden(environment.path(SECRET_ENV)));
    }

    private static Set<String> hidden(JsonNode variables) {
      Set<String> names = new LinkedHashSet<>();
      variables.properties().forEach(e -> {
        if (EnvironmentSpec.HIDDEN_VALUE.equals(e.getValue().asText(null))) {
          names.add(e.getKey());
        }
      });
      return names;
    }

    boolean none() {
      return env.isEmpty() && secretEnv.isEmpty();
    }
  }

  /**
   * {@code parsed} with each unseen variable's value the one {@code current} (null: no service yet)
   * has; a variable it does not have is a 422 naming it.
   */
  static ServiceDefinition keepingValues(ServiceDefinition parsed, Unseen unseen, ServiceDefinition current) {
    List<FieldError> errors = new ArrayList<>();
    EnvironmentSpec spec = parsed.spec();
    Map<String, String> env = kept(spec.env(), unseen.env(), current == null ? Map.of() : current.spec().env(), ENV,
        errors);
    Map<String, String> secretEnv = kept(spec.secretEnv(), unseen.secretEnv(),
        current == null ? Map.of() : current.spec().secretEnv(), SECRET_ENV, errors);
    if (!errors.isEmpty()) {
      throw new ValidationException(errors);
    }
    EnvironmentSpec kept = new EnvironmentSpec(spec.name(), spec.version(), spec.os(), spec.osRelease(),
        spec.languages(), spec.resources(), spec.datasets(), spec.ports(), spec.storage(), spec.command(), env,
        spec.constraints(), spec.restartPolicy(), secretEnv, spec.idleTimeout(), spec.service());
    return new ServiceDefinition(parsed.name(), parsed.kind(), kept, parsed.recipe(), parsed.port(),
        parsed.readiness(), parsed.replicas(), parsed.batching(), parsed.bindings(), parsed.surge(), parsed.spread());
  }

  private static Map<String, String> kept(Map<String, String> sent, Set<String> unseen, Map<String, String> current,
      String field, List<FieldError> errors) {
    Map<String, String> kept = new LinkedHashMap<>(sent);
    for (String name : unseen) {
      if (current.containsKey(name)) {
        kept.put(name, current.get(name));
      } else {
        errors.add(new FieldError(ENVIRONMENT + "." + field + "." + name, "is \"" + EnvironmentSpec.HIDDEN_VALUE
            + "\", the mark of a value not shown, but the service has no such variable to keep: write its value"));
      }
    }
    return Map.copyOf(kept);
  }
}
