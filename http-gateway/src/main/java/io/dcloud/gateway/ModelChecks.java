package io.dcloud.gateway;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dcloud.catalog.CatalogCheck;
import io.dcloud.environment.EnvironmentSpecParser;
import io.dcloud.environment.SpecLimits;
import io.dcloud.resources.Resources;
import io.dcloud.spec.EnvironmentSpec;
import io.dcloud.validation.FieldError;
import io.dcloud.validation.ValidationException;
import java.util.List;
import java.util.concurrent.CompletionStage;

/**
 * What a model config asks of its replicas, judged as they will be: the environment its service
 * would create ({@link ModelServiceBody}) is parsed as any environment config (resources) and
 * checked against the catalog (language, libraries). The errors name the model config's fields,
 * not the environment's: {@code languages[0].libraries[2]} is the config's
 * {@code runtime.libraries[2]}.
 */
final class ModelChecks {
  private static final String LANGUAGE = "languages[0].";

  private final ClusterAsks asks;
  private final Resources defaults;
  private final SpecLimits limits;

  ModelChecks(ClusterAsks asks, Resources defaults, SpecLimits limits) {
    this.asks = asks;
    this.defaults = defaults;
    this.limits = limits;
  }

  /** Completes when the config's replicas could be made; fails with the 422 otherwise. */
  CompletionStage<Void> check(ModelConfig config) {
    EnvironmentSpec spec = spec(config);
    return asks.catalog().thenApply(catalog -> {
      List<FieldError> errors = CatalogCheck.check(catalog, spec);
      if (!errors.isEmpty()) {
        throw new ValidationException(renamed(errors));
      }
      return null;
    });
  }

  private EnvironmentSpec spec(ModelConfig config) {
    ObjectNode environment = ModelServiceBody.environment(config, 1);
    // The parser wants a name; each replica gets its own when the service makes it.
    environment.put("env-name", config.name());
    try {
      return EnvironmentSpecParser.parse(environment, defaults, limits);
    } catch (ValidationException invalid) {
      throw new ValidationException(renamed(invalid.errors()));
    }
  }

  static List<FieldError> renamed(List<FieldError> errors) {
    return errors.stream().map(error -> new FieldError(renamed(error.field()), error.reason())).toList();
  }

  private static String renamed(String field) {
    return field.startsWith(LANGUAGE) ? "runtime." + field.substring(LANGUAGE.length()) : field;
  }
}
