package io.dcloud.gateway.common;

import com.fasterxml.jackson.databind.JsonNode;
import io.dcloud.validation.FieldError;
import io.dcloud.validation.ValidationException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * The fields an uploaded config (a model's, an app's) shares, read so that every bad one is named
 * at once: each reader records its field's error and returns a stand-in, {@link #throwIfAny} throws
 * them all as one 422.
 */
public final class ConfigFields {
  /** A service's name: a DNS label short enough to prefix its replicas' names. */
  public static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9-]{0,39}");
  static final Set<String> RUNTIME_FIELDS = Set.of("language-name", "libraries");

  /** The language and the catalog libraries of a service's replicas. */
  public record Runtime(String language, List<String> libraries) {}

  /** What the config is, for the reason of an unknown field: "a model config". */
  private final String what;
  private final List<FieldError> errors = new ArrayList<>();

  public ConfigFields(String what) {
    this.what = what;
  }

  public void error(String field, String reason) {
    errors.add(new FieldError(field, reason));
  }

  /** A value read by a reader that adds its problems to a list (as ServiceRequests' readers do): they are this config's. */
  public <T> T read(Function<List<FieldError>, T> reader) {
    return reader.apply(errors);
  }

  public void throwIfAny() {
    if (!errors.isEmpty()) {
      throw new ValidationException(List.copyOf(errors));
    }
  }

  public String name(JsonNode value) {
    if (value == null || !value.isTextual() || !NAME.matcher(value.asText()).matches()) {
      error("name", "is required: 1 to 40 lowercase letters, digits or '-', starting with a letter or digit");
      return null;
    }
    return value.asText();
  }

  /** {@code runtime}: required, with a language; libraries may be left out. */
  public Runtime runtime(JsonNode runtime) {
    if (runtime == null || !runtime.isObject()) {
      error("runtime", "is required: an object with language-name and libraries");
      return new Runtime(null, List.of());
    }
    unknown("runtime.", runtime, RUNTIME_FIELDS);
    JsonNode language = runtime.get("language-name");
    String name = null;
    if (language == null || !language.isTextual() || language.asText().isBlank()) {
      error("runtime.language-name", "is required: a language of the catalog, e.g. python");
    } else {
      name = language.asText();
    }
    return new Runtime(name, libraries(runtime.get("libraries")));
  }

  private List<String> libraries(JsonNode value) {
    if (value == null || value.isNull()) {
      return List.of();
    }
    if (!value.isArray()) {
      error("runtime.libraries", "must be a list of catalog library names");
      return List.of();
    }
    List<String> libraries = new ArrayList<>();
    for (int i = 0; i < value.size(); i++) {
      JsonNode library = value.get(i);
      if (!library.isTextual() || library.asText().isBlank()) {
        error("runtime.libraries[" + i + "]", "must be a catalog library name");
      } else {
        libraries.add(library.asText());
      }
    }
    return List.copyOf(libraries);
  }

  /** A whole number from {@code min} to {@code max}; {@code absent} when left out (or wrong). */
  public int whole(String field, JsonNode value, int absent, int min, int max) {
    if (value == null || value.isNull()) {
      return absent;
    }
    if (!value.canConvertToExactIntegral() || !value.canConvertToInt() || value.asInt() < min || value.asInt() > max) {
      error(field, "must be a whole number from " + min + " to " + max);
      return absent;
    }
    return value.asInt();
  }

  public void unknown(String prefix, JsonNode object, Set<String> known) {
    for (Iterator<String> names = object.fieldNames(); names.hasNext(); ) {
      String name = names.next();
      if (!known.contains(name)) {
        error(prefix + name, "is not a field of " + what + " (known: " + known.stream().sorted().toList() + ")");
      }
    }
  }
}
