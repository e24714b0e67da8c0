package io.dcloud.environment;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;

/** Where a document's values are, as JSON pointers, for tests that put junk in their place. */
final class JsonPointers {
  private JsonPointers() {}

  /** JSON pointers of every value in {@code root} (not the root itself). */
  static List<String> paths(JsonNode root) {
    List<String> paths = new ArrayList<>();
    collectPaths(root, "", paths);
    return List.copyOf(paths);
  }

  private static void collectPaths(JsonNode node, String path, List<String> paths) {
    if (!path.isEmpty()) {
      paths.add(path);
    }
    if (node.isObject()) {
      node.properties().forEach(e -> collectPaths(e.getValue(), path + "/" + e.getKey(), paths));
    } else if (node.isArray()) {
      for (int i = 0; i < node.size(); i++) {
        collectPaths(node.get(i), path + "/" + i, paths);
      }
    }
  }

  /** Sets the value at {@code pointer}, unless an earlier mutation replaced what held it. */
  static void replace(JsonNode root, String pointer, JsonNode value) {
    int slash = pointer.lastIndexOf('/');
    JsonNode parent = root.at(pointer.substring(0, slash));
    String last = pointer.substring(slash + 1);
    if (parent instanceof ObjectNode object) {
      object.set(last, value);
    } else if (parent instanceof ArrayNode array && last.matches("\\d+") && Integer.parseInt(last) < array.size()) {
      array.set(Integer.parseInt(last), value);
    }
  }
}
