package io.dcloud.service;

import com.fasterxml.jackson.databind.JsonNode;
import io.dcloud.contract.ContractReader;
import io.dcloud.validation.FieldError;
import java.util.List;
import java.util.Locale;

/**
 * A definition's {@code spread} as written ({@code required} or {@code preferred}), read the same
 * wherever a service is declared: {@code POST /services}, an app's config, a model's config.
 */
public final class SpreadReader {
  public static final String FIELD = "spread";

  private SpreadReader() {}

  /** The spread {@code value} names; null when absent (preferred), or when it names none (its error added). */
  public static ServiceDefinition.Spread read(JsonNode value, List<FieldError> errors) {
    if (ContractReader.absent(value)) {
      return null;
    }
    for (ServiceDefinition.Spread spread : ServiceDefinition.Spread.values()) {
      if (value.isTextual() && value.asText().equals(written(spread))) {
        return spread;
      }
    }
    errors.add(new FieldError(FIELD, "must be required (each replica on a node that runs no other; one waits when"
        + " none has room) or preferred (as far apart as the cluster allows), not "
        + (value.isTextual() ? "\"" + value.asText() + "\"" : value.getNodeType().name().toLowerCase(Locale.ROOT))));
    return null;
  }

  /** As a definition writes it. */
  public static String written(ServiceDefinition.Spread spread) {
    return spread.name().toLowerCase(Locale.ROOT);
  }
}
