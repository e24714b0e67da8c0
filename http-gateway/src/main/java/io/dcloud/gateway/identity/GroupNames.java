package io.dcloud.gateway.identity;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * A list of names in a request body (a group's members, the groups an environment is shared
 * with): each spelled as a username ({@link UserRoutes#USERNAME}), else a 422 naming the entry.
 */
public final class GroupNames {
  private GroupNames() {}

  /** {@code field} of {@code body}; a missing or null field is an empty list when {@code required} is false. */
  public static Set<String> read(JsonNode body, String field, boolean required) {
    JsonNode names = body.get(field);
    if (names == null || names.isNull()) {
      if (required) {
        throw UserRoutes.invalid(field, "is required: a list of names");
      }
      return Set.of();
    }
    // How many is bounded by the body's size (dcloud.http.max-body).
    if (!names.isArray()) {
      throw UserRoutes.invalid(field, "must be a list of names");
    }
    Set<String> read = new LinkedHashSet<>();
    for (int i = 0; i < names.size(); i++) {
      JsonNode name = names.get(i);
      if (!name.isTextual() || !UserRoutes.USERNAME.matcher(name.textValue()).matches()) {
        throw UserRoutes.invalid(field + "[" + i + "]", "must be 1 to 64 lowercase letters, digits, '.', '_' or '-', "
            + "starting with a letter or digit");
      }
      read.add(name.textValue());
    }
    return Set.copyOf(read);
  }
}
