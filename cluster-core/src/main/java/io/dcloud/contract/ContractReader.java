package io.dcloud.contract;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dcloud.validation.FieldError;
import io.dcloud.validation.ValidationException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Reads one document of the seeds' contracts (environment config, library catalog) without stopping
 * at the first problem: every reader records a {@link FieldError} naming the field by its path in
 * the contract's spelling ({@code resources.ram}, {@code [1].specifications.python}) and returns
 * null, so the caller carries on and {@link #throwIfAny} reports everything at once.
 *
 * <p>Contract-specific rules (what a valid name is, which sizes are allowed) live in the parsers;
 * this class knows only JSON shapes and field paths.
 */
public class ContractReader {

  /** The path of the document itself: its fields are named bare ({@code env-name}, not {@code .env-name}). */
  public static final String ROOT = "";

  /** Fields the Mongo-era tools stored beside a document: not part of a request, silently dropped. */
  private static final Set<String> STORAGE_ARTEFACT_FIELDS =
      Set.of(
          "_id",
          "id",
          "config_id",
          "is active",
          "is_active",
          "creation_time",
          "last updation time",
          "last_updation_time");

  /** A typo this close to a known field name gets a "did you mean" hint. */
  private static final int TYPO_DISTANCE = 2;

  private static final int CHARACTERS_PER_TYPO = 3;

  private final List<FieldError> errors = new ArrayList<>();

  public void error(String field, String reason) {
    errors.add(new FieldError(field, reason));
  }

  /** @throws ValidationException holding every error recorded so far, if there is one */
  public void throwIfAny() {
    if (!errors.isEmpty()) {
      throw new ValidationException(errors);
    }
  }

  /** Runs a reader that throws, collecting its errors; null when it failed. */
  public <T> T attempt(Supplier<T> read) {
    try {
      return read.get();
    } catch (ValidationException e) {
      errors.addAll(e.errors());
      return null;
    }
  }

  /** An object with only {@code known} fields, or null (after recording why) when it is not one. */
  public ObjectNode object(String field, JsonNode value, Collection<String> known) {
    if (!value.isObject()) {
      error(field, "must be an object, not " + kindOf(value));
      return null;
    }
    refuseUnknownFields(field, value, known);
    return (ObjectNode) value;
  }

  /** Records every field of {@code object} that is not one of {@code known}. */
  public void refuseUnknownFields(String field, JsonNode object, Collection<String> known) {
    for (Map.Entry<String, JsonNode> property : object.properties()) {
      if (!known.contains(property.getKey())) {
        error(at(field, property.getKey()), unknownFieldReason(property.getKey(), known));
      }
    }
  }

  /**
   * Like {@link #refuseUnknownFields}, for a whole stored document: what the Mongo-era tools kept
   * beside it ({@link #isStorageArtefact}) is skipped, so their exports can be sent back as they are.
   */
  public void refuseUnknownDocumentFields(String field, JsonNode document, Collection<String> known) {
    for (Map.Entry<String, JsonNode> property : document.properties()) {
      String name = property.getKey();
      if (!known.contains(name) && !isStorageArtefact(name, property.getValue())) {
        error(at(field, name), unknownFieldReason(name, known));
      }
    }
  }

  /** The elements of an optional array: empty when absent, null (after recording why) when not an array. */
  public List<JsonNode> optionalArray(String field, JsonNode value) {
    if (absent(value)) {
      return List.of();
    }
    if (!value.isArray()) {
      error(field, "must be an array, not " + kindOf(value));
      return null;
    }
    List<JsonNode> elements = new ArrayList<>();
    value.forEach(elements::add);
    return elements;
  }

  /** The text of a present value, or null (after recording why) when it is not a string. */
  public String text(String field, JsonNode value) {
    if (!value.isTextual()) {
      error(field, "must be a string, not " + kindOf(value));
      return null;
    }
    return value.textValue();
  }

  /** The path of {@code key} inside {@code parent}: {@code resources.ram}. */
  public static String at(String parent, String key) {
    return parent.equals(ROOT) ? key : parent + "." + key;
  }

  /** The path of element {@code index} of {@code parent}: {@code storage[0]}. */
  public static String at(String parent, int index) {
    return parent + "[" + index + "]";
  }

  /** Missing and explicit null mean the same in the contracts: "not given". */
  public static boolean absent(JsonNode value) {
    return value == null || value.isNull() || value.isMissingNode();
  }

  /** How a JSON value is named in reasons: "an array", "an object", "a boolean"... */
  public static String kindOf(JsonNode value) {
    if (absent(value)) {
      return "null";
    }
    if (value.isArray()) {
      return "an array";
    }
    if (value.isObject()) {
      return "an object";
    }
    if (value.isBoolean()) {
      return "a boolean";
    }
    if (value.isNumber()) {
      return "a number";
    }
    if (value.isTextual()) {
      return "a string";
    }
    return "a " + value.getNodeType().name().toLowerCase(Locale.ROOT);
  }

  /** User text quoted in a reason, cut after {@code shownChars} so a long typo keeps the message readable. */
  public static String quote(String text, int shownChars) {
    String shown = text.length() > shownChars ? text.substring(0, shownChars) + "…" : text;
    return "\"" + shown + "\"";
  }

  /**
   * True for what the Mongo-era tools stored beside a document ({@code _id}, {@code creation_time},
   * any {@code {"$oid": ...}} or {@code {"$date": ...}} value): parsers skip these instead of
   * refusing them as unknown fields.
   */
  public static boolean isStorageArtefact(String field, JsonNode value) {
    if (STORAGE_ARTEFACT_FIELDS.contains(field)) {
      return true;
    }
    return value != null
        && value.isObject()
        && value.size() == 1
        && (value.has("$oid") || value.has("$date"));
  }

  /** "is not a known field: use one of a, b, c" plus a hint when the name is a near miss. */
  public static String unknownFieldReason(String field, Collection<String> known) {
    String hint = "";
    for (String candidate : known) {
      // Short names are too easily "near" anything: allow one typo per three characters.
      int allowed = Math.min(TYPO_DISTANCE, candidate.length() / CHARACTERS_PER_TYPO);
      if (editDistance(field.toLowerCase(Locale.ROOT), candidate) <= allowed) {
        hint = " (did you mean " + candidate + "?)";
        break;
      }
    }
    return "is not a known field" + hint + ": use one of " + String.join(", ", known);
  }

  private static int editDistance(String a, String b) {
    int[] previous = new int[b.length() + 1];
    int[] current = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      previous[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      current[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int substitution = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
        current[j] = Math.min(substitution, Math.min(previous[j], current[j - 1]) + 1);
      }
      int[] swap = previous;
      previous = current;
      current = swap;
    }
    return previous[b.length()];
  }
}
