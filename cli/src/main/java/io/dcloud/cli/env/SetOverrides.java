package io.dcloud.cli.env;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dcloud.cli.common.CliException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code --set path=value}: one field of an environment contract, by its dotted path in the
 * contract's spelling ({@code resources.ram=8G}, {@code languages[0].language-name=python}).
 * Missing objects and list items on the way are made. The value is a string, except {@code true},
 * {@code false}, whole numbers and JSON arrays or objects ({@code command=["sh","-c","make"]}).
 */
final class SetOverrides {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern STEP = Pattern.compile("([^.\\[\\]]+)((?:\\[\\d+\\])*)");
  private static final Pattern INDEX = Pattern.compile("\\[(\\d+)\\]");
  private static final Pattern WHOLE_NUMBER = Pattern.compile("-?(0|[1-9]\\d{0,17})");
  private static final int MAX_INDEX = 1000;

  private SetOverrides() {}

  /** One step of a path: a field name, then the list indexes after it. */
  private record Step(String field, List<Integer> indexes) {}

  static void apply(ObjectNode root, List<String> assignments) {
    for (String assignment : assignments) {
      int equals = assignment.indexOf('=');
      if (equals <= 0) {
        throw CliException.usage("--set " + assignment + ": expected path=value, e.g. resources.ram=8G");
      }
      set(root, assignment.substring(0, equals).strip(), value(assignment.substring(equals + 1)));
    }
  }

  static JsonNode value(String text) {
    String trimmed = text.strip();
    if (trimmed.equals("true") || trimmed.equals("false")) {
      return JSON.getNodeFactory().booleanNode(Boolean.parseBoolean(trimmed));
    }
    if (WHOLE_NUMBER.matcher(trimmed).matches()) {
      return JSON.getNodeFactory().numberNode(Long.parseLong(trimmed));
    }
    if (trimmed.startsWith("[") || trimmed.startsWith("{")) {
      try {
        return JSON.readTree(trimmed);
      } catch (IOException e) {
        throw CliException.usage("--set value " + trimmed + " looks like JSON but is not: " + e.getMessage().lines().findFirst().orElse(""));
      }
    }
    return JSON.getNodeFactory().textNode(text);
  }

  static void set(ObjectNode root, String path, JsonNode value) {
    List<Step> steps = parse(path);
    JsonNode current = root;
    for (int i = 0; i < steps.size(); i++) {
      Step step = steps.get(i);
      boolean lastStep = i == steps.size() - 1;
      ObjectNode object = (ObjectNode) current;
      if (step.indexes().isEmpty()) {
        if (lastStep) {
          object.set(step.field(), value);
          return;
        }
        current = child(object, step.field(), path);
        continue;
      }
      JsonNode list = object.get(step.field());
      if (list == null || list.isNull()) {
        list = object.putArray(step.field());
      } else if (!list.isArray()) {
        throw CliException.usage("--set " + path + ": " + step.field() + " is not a list");
      }
      for (int k = 0; k < step.indexes().size(); k++) {
        boolean lastIndex = lastStep && k == step.indexes().size() - 1;
        ArrayNode array = (ArrayNode) list;
        int index = step.indexes().get(k);
        while (array.size() <= index) {
          array.addNull();
        }
        if (lastIndex) {
          array.set(index, value);
          return;
        }
        boolean nextIsIndex = k < step.indexes().size() - 1;
        JsonNode item = array.get(index);
        if (item.isNull()) {
          item = nextIsIndex ? JSON.createArrayNode() : JSON.createObjectNode();
          array.set(index, item);
        } else if (nextIsIndex ? !item.isArray() : !item.isObject()) {
          throw CliException.usage("--set " + path + ": " + step.field() + "[" + index + "] is not "
              + (nextIsIndex ? "a list" : "an object"));
        }
        list = item;
      }
      current = list;
    }
  }

  private static JsonNode child(ObjectNode object, String field, String path) {
    JsonNode child = object.get(field);
    if (child == null || child.isNull()) {
      return object.putObject(field);
    }
    if (!child.isObject()) {
      throw CliException.usage("--set " + path + ": " + field + " is not an object");
    }
    return child;
  }

  private static List<Step> parse(String path) {
    List<Step> steps = new ArrayList<>();
    for (String part : path.split("\\.", -1)) {
      Matcher step = STEP.matcher(part);
      if (!step.matches()) {
        throw CliException.usage("--set " + path + ": '" + part + "' is not a field name (a.b, a[0].b)");
      }
      List<Integer> indexes = new ArrayList<>();
      Matcher index = INDEX.matcher(step.group(2));
      while (index.find()) {
        String digits = index.group(1);
        if (digits.length() > 4 || Integer.parseInt(digits) > MAX_INDEX) {
          throw CliException.usage("--set " + path + ": index " + digits + " is over " + MAX_INDEX);
        }
        indexes.add(Integer.parseInt(digits));
      }
      steps.add(new Step(step.group(1), indexes));
    }
    return steps;
  }
}
