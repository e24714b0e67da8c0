package io.dcloud.gateway.common;

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
 * What an uploaded config (a model's, an app's) asks of its replicas, judged as it will be: the
 * environment its service would create ({@link io.dcloud.gateway.model.ModelServiceBody}, {@link io.dcloud.gateway.app.AppServiceBody}) is parsed
 * as any environment config (resources, env, command) and checked against the catalog (language,
 * libraries). The errors name the uploaded config's fields, not the environment's:
 * {@code languages[0].libraries[2]} is the config's {@code runtime.libraries[2]}.
 */
public final class RuntimeChecks {
  private static final String LANGUAGE = "languages[0].";

  private final ClusterAsks asks;
  private final Resources defaults;
  private final SpecLimits limits;

  public RuntimeChecks(ClusterAsks asks, Resources defaults, SpecLimits limits) {
    this.asks = asks;
    this.defaults = defaults;
    this.limits = limits;
  }

  /** Completes when the replicas of service {@code name} could be made; fails with the 422 otherwise. */
  public CompletionStage<Void> check(String name, ObjectNode environment) {
    EnvironmentSpec spec = spec(name, environment);
    return asks.catalog().thenApply(catalog -> {
      List<FieldError> errors = CatalogCheck.check(catalog, spec);
      if (!errors.isEmpty()) {
        throw new ValidationException(renamed(errors));
      }
      return null;
    });
  }

  private EnvironmentSpec spec(String name, ObjectNode environment) {
    ObjectNode named = environment.deepCopy();
    // The parser wants a name; each replica gets its own when the service makes it.
    named.put("env-name", name);
    try {
      return EnvironmentSpecParser.parse(named, defaults, limits);
    } catch (ValidationException invalid) {
      throw new ValidationException(renamed(invalid.errors()));
    }
  }

  public static List<FieldError> renamed(List<FieldError> errors) {
    return errors.stream().map(error -> new FieldError(renamed(error.field()), error.reason())).toList();
  }

  private static String renamed(String field) {
    return field.startsWith(LANGUAGE) ? "runtime." + field.substring(LANGUAGE.length()) : field;
  }
}
