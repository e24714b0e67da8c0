package io.dcloud.gateway.catalog;

import com.fasterxml.jackson.databind.JsonNode;
import io.dcloud.catalog.Catalog;
import io.dcloud.catalog.CatalogCheck;
import io.dcloud.contract.ContractReader;
import io.dcloud.environment.EnvironmentSpecParser;
import io.dcloud.environment.SpecLimits;
import io.dcloud.resources.Resources;
import io.dcloud.secret.SecretBox;
import io.dcloud.spec.EnvironmentSpec;
import io.dcloud.template.Template;
import io.dcloud.validation.FieldError;
import io.dcloud.validation.ValidationException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Reads a template body — {@code {"name", "description", "spec": {<environment config>}}} — and
 * checks it the way an environment request is checked, so a saved template can always be
 * instantiated (as long as the catalog still offers what it picks). Field names in errors are
 * prefixed {@code spec.} for the config's own fields.
 */
final class TemplateRequests {

  /** Template names are path segments and appear in environment names: a DNS label's alphabet and length. */
  static final int MAX_NAME_LENGTH = EnvironmentSpecParser.MAX_ENV_NAME_LENGTH;

  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]*");
  private static final String NAME_FIELD = "name";
  private static final String DESCRIPTION_FIELD = "description";
  private static final String SPEC_FIELD = "spec";
  private static final List<String> FIELDS = List.of(NAME_FIELD, DESCRIPTION_FIELD, SPEC_FIELD);

  private TemplateRequests() {}

  /** True when {@code name} could name a template (others are answered 404 without asking). */
  static boolean isValidName(String name) {
    return name.length() <= MAX_NAME_LENGTH && NAME.matcher(name).matches();
  }

  /**
   * The template a body describes. {@code pathName} (PUT) wins over the body's name, which may then
   * be left out but must not differ.
   *
   * @throws ValidationException listing every problem of the body and its spec
   */
  static Template parse(JsonNode body, Optional<String> pathName, Resources defaults, SpecLimits limits) {
    if (!body.isObject()) {
      throw ValidationException.of("$", "must be an object with name, description and spec");
    }
    List<FieldError> errors = new ArrayList<>();
    for (Map.Entry<String, JsonNode> field : body.properties()) {
      if (!FIELDS.contains(field.getKey()) && !ContractReader.isStorageArtefact(field.getKey(), field.getValue())) {
        errors.add(new FieldError(field.getKey(), ContractReader.unknownFieldReason(field.getKey(), FIELDS)));
      }
    }
    String name = name(body.get(NAME_FIELD), pathName, errors);
    String description = description(body.get(DESCRIPTION_FIELD), errors);
    JsonNode spec = body.get(SPEC_FIELD);
    if (spec == null || spec.isNull()) {
      errors.add(new FieldError(SPEC_FIELD, "is required: give the environment config the template stands for"));
    } else if (!spec.isObject()) {
      errors.add(new FieldError(SPEC_FIELD, "must be an object holding an environment config"));
    } else {
      try {
        EnvironmentSpecParser.parse(spec, defaults, limits, SecretBox.throwaway());
      } catch (ValidationException invalid) {
        errors.addAll(inSpec(invalid.errors()));
      }
      errors.addAll(literalSecrets(spec));
    }
    if (!errors.isEmpty()) {
      throw new ValidationException(errors);
    }
    return new Template(name, description, spec);
  }

  /**
   * What in the template's config the catalog does not offer (unknown OS, language or library).
   *
   * @throws ValidationException when there is any
   */
  static void checkAgainst(Catalog catalog, Template template, Resources defaults, SpecLimits limits) {
    EnvironmentSpec spec = EnvironmentSpecParser.parse(template.spec(), defaults, limits, SecretBox.throwaway());
    List<FieldError> missing = CatalogCheck.check(catalog, spec);
    if (!missing.isEmpty()) {
      throw new ValidationException(inSpec(missing));
    }
  }

  /**
   * A template is kept as written, in clear: its secret-env may only ask for generated values;
   * real secrets are given when an environment is created from it.
   */
  private static List<FieldError> literalSecrets(JsonNode spec) {
    List<FieldError> errors = new ArrayList<>();
    JsonNode secrets = spec.get("secret-env");
    if (secrets != null && secrets.isObject()) {
      for (Map.Entry<String, JsonNode> secret : secrets.properties()) {
        if (!SecretBox.GENERATED.equals(secret.getValue().asText(null))) {
          errors.add(new FieldError(SPEC_FIELD + ".secret-env." + secret.getKey(), "a template is stored in clear: give "
              + "this secret when creating from the template, or \"" + SecretBox.GENERATED
              + "\" for a fresh random value per environment"));
        }
      }
    }
    return errors;
  }

  private static String name(JsonNode value, Optional<String> pathName, List<FieldError> errors) {
    String given = null;
    if (value != null && !value.isNull()) {
      if (value.isTextual()) {
        given = value.textValue();
      } else {
        errors.add(new FieldError(NAME_FIELD, "must be a string"));
        return null;
      }
    }
    if (pathName.isPresent()) {
      if (given != null && !given.equals(pathName.get())) {
        errors.add(new FieldError(NAME_FIELD,
            quote(given) + " differs from the name in the path, " + quote(pathName.get()) + ": leave it out or make them equal"));
        return null;
      }
      given = pathName.get();
    }
    if (given == null) {
      errors.add(new FieldError(NAME_FIELD, "is required"));
      return null;
    }
    if (!isValidName(given)) {
      errors.add(new FieldError(NAME_FIELD, quote(given) + " may hold only letters, digits, '_', '.' and '-', start"
          + " with a letter or digit, and be at most " + MAX_NAME_LENGTH + " characters long"));
      return null;
    }
    return given;
  }

  private static String description(JsonNode value, List<FieldError> errors) {
    if (value == null || value.isNull()) {
      return "";
    }
    if (!value.isTextual()) {
      errors.add(new FieldError(DESCRIPTION_FIELD, "must be a string"));
      return null;
    }
    return value.textValue();
  }

  private static List<FieldError> inSpec(List<FieldError> errors) {
    return errors.stream()
        .map(e -> new FieldError(e.field().equals("$") ? SPEC_FIELD : SPEC_FIELD + "." + e.field(), e.reason()))
        .toList();
  }

  /** User text quoted in a reason, shortened so a long value keeps the message readable. */
  private static String quote(String text) {
    return ContractReader.quote(text, MAX_NAME_LENGTH);
  }
}
