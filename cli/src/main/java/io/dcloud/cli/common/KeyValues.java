package io.dcloud.cli.common;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.io.IOException;
import java.util.List;

/**
 * {@code KEY=VALUE} arguments as one JSON object. With JSON values (a command's parameters) a value
 * that is JSON is taken as such, so {@code level=42} and {@code on=true} reach the API as a number
 * and a boolean, the types a controller's type declares; any other text is a string.
 */
public final class KeyValues {
  // Trailing tokens fail, so "12abc" is the string it looks like, not 12.
  private static final ObjectMapper JSON = new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

  private KeyValues() {}

  /**
   * @param what how the arguments are called in a usage error (e.g. "--meta")
   * @param jsonValues values parsed as JSON when they parse; otherwise every value is a string
   */
  public static ObjectNode parse(List<String> pairs, String what, boolean jsonValues) {
    ObjectNode object = JsonNodeFactory.instance.objectNode();
    for (String pair : pairs == null ? List.<String>of() : pairs) {
      int equals = pair.indexOf('=');
      if (equals <= 0) {
        throw CliException.usage(what + " must be KEY=VALUE, not '" + pair + "'");
      }
      String key = pair.substring(0, equals);
      if (object.has(key)) {
        throw CliException.usage(what + " names " + key + " twice");
      }
      String value = pair.substring(equals + 1);
      object.set(key, jsonValues ? value(value) : TextNode.valueOf(value));
    }
    return object;
  }

  /** The text as JSON when it is JSON, else as a string. */
  static JsonNode value(String text) {
    if (text.isBlank()) {
      return TextNode.valueOf(text);
    }
    try {
      return JSON.readTree(text);
    } catch (IOException notJson) {
      return TextNode.valueOf(text);
    }
  }
}
