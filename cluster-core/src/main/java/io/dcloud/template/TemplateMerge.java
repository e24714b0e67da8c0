package io.dcloud.template;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Map;

/**
 * Instantiates a template: the user's overrides deep-merged into the template's config. Objects
 * merge field by field; an array or a scalar in the overrides replaces the template's value whole
 * (so overriding {@code languages} gives exactly the languages asked for, never a mix). An explicit
 * {@code null} replaces too, which the parser then treats as "not given".
 */
public final class TemplateMerge {

  private TemplateMerge() {}

  /** A new node: neither input is modified. A missing side counts as "nothing to merge". */
  public static JsonNode apply(JsonNode template, JsonNode overrides) {
    if (overrides == null || overrides.isMissingNode()) {
      return template == null ? NullNode.getInstance() : template.deepCopy();
    }
    if (template == null || template.isMissingNode() || !template.isObject() || !overrides.isObject()) {
      return overrides.deepCopy();
    }
    ObjectNode merged = ((ObjectNode) template).deepCopy();
    for (Map.Entry<String, JsonNode> field : overrides.properties()) {
      merged.set(field.getKey(), apply(merged.get(field.getKey()), field.getValue()));
    }
    return merged;
  }
}
