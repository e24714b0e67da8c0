package io.dcloud.environment;

import static io.dcloud.environment.EnvironmentSpecParser.DEFAULT_VERSION;
import static io.dcloud.environment.EnvironmentSpecParser.MAX_NAME_LENGTH;

import com.fasterxml.jackson.databind.JsonNode;
import io.dcloud.contract.ContractReader;
import io.dcloud.resources.Quantities;
import java.util.List;

/**
 * A {@link ContractReader} for one environment config: adds the config's rules for the names and
 * versions that nearly every part of it holds (OS, languages, datasets, protocols...).
 */
final class SpecFieldReader extends ContractReader {

  /**
   * The elements of an optional array of at most {@code max} entries: empty when absent, null
   * (after recording why) when not an array or too long. A long one is refused before any entry is
   * read, so its size costs nothing.
   */
  List<JsonNode> boundedArray(String field, JsonNode value, int max, String entries) {
    if (!absent(value) && value.isArray() && value.size() > max) {
      error(field, tooMany(value.size(), max, entries));
      return null;
    }
    return optionalArray(field, value);
  }

  /** "lists 65 ports: at most 64 are allowed". */
  static String tooMany(int count, long max, String entries) {
    return "lists " + count + " " + entries + ": at most " + max + " are allowed";
  }

  /** A required, non-blank, single-line identifier of reasonable length. */
  String requiredName(String field, JsonNode value) {
    if (absent(value)) {
      error(field, "is required");
      return null;
    }
    return name(field, value);
  }

  String name(String field, JsonNode value) {
    String text = text(field, value);
    return text == null ? null : checkedName(field, text);
  }

  String checkedName(String field, String text) {
    if (text.isBlank()) {
      error(field, "must not be blank");
      return null;
    }
    if (text.length() > MAX_NAME_LENGTH) {
      error(field, "is " + text.length() + " characters long: use at most " + MAX_NAME_LENGTH);
      return null;
    }
    if (hasControlCharacter(text)) {
      error(field, "must not contain line breaks or other control characters");
      return null;
    }
    return text;
  }

  /** A version written as a string ("1") or a number (1, 2.5); {@code "1"} when absent. */
  String version(String field, JsonNode value) {
    if (absent(value)) {
      return DEFAULT_VERSION;
    }
    return versionOrNull(field, value);
  }

  /** Like {@link #version}, but null when absent: the caller decides what "no version" means. */
  String versionOrNull(String field, JsonNode value) {
    if (absent(value)) {
      return null;
    }
    if (value.isNumber()) {
      return attempt(() -> Quantities.plainNumber(field, value));
    }
    if (!value.isTextual()) {
      error(field, "must be a string or a number, not " + kindOf(value));
      return null;
    }
    return name(field, value);
  }

  static boolean hasControlCharacter(String text) {
    return text.chars().anyMatch(Character::isISOControl);
  }
}
