package io.dcloud.cli.env;

import com.fasterxml.jackson.databind.JsonNode;
import io.dcloud.cli.common.ApiClient;
import io.dcloud.cli.common.ChunkSizeOption;
import io.dcloud.cli.common.CliException;
import io.dcloud.cli.common.ExitCodes;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * What the command line takes for an environment, as {@code docker} takes a container: its id, its
 * name when no other of the caller's environments has it, or the start of its id when no other's id
 * starts so. The API itself takes ids only: a name or a prefix is resolved here, with the listing
 * the caller may see, before the request.
 */
final class EnvironmentRefs {
  private static final Pattern ID = Pattern.compile("[0-9a-fA-F]{8}(-[0-9a-fA-F]{4}){3}-[0-9a-fA-F]{12}");
  private static final int PAGE = 500;

  private EnvironmentRefs() {}

  /** The id of the environment {@code reference} names; fails naming the candidates when it names several. */
  static String resolve(ApiClient client, String reference) {
    if (ID.matcher(reference).matches()) {
      return reference;
    }
    List<String> named = ids(listing(client, Map.of("name", reference)));
    if (named.size() == 1) {
      return named.get(0);
    } else if (named.size() > 1) {
      throw ambiguous(named.size() + " environments are named " + reference, named);
    }
    String prefix = reference.toLowerCase(Locale.ROOT);
    List<String> starting = ids(listing(client, Map.of())).stream().filter(id -> id.startsWith(prefix)).toList();
    if (starting.size() == 1) {
      return starting.get(0);
    } else if (starting.size() > 1) {
      throw ambiguous(starting.size() + " environments' ids start with " + reference, starting);
    }
    throw new CliException(ExitCodes.NOT_FOUND, "environment " + reference
        + " was not found: none of yours has that id, that name, or an id that starts so (dcloud env ls lists them)");
  }

  private static JsonNode listing(ApiClient client, Map<String, ?> query) {
    return ChunkSizeOption.listAll(client, "/environments", new HashMap<>(query), "environments", PAGE)
        .path("environments");
  }

  private static List<String> ids(JsonNode environments) {
    List<String> ids = new ArrayList<>();
    environments.forEach(environment -> ids.add(environment.path("id").asText()));
    Collections.sort(ids);
    return ids;
  }

  private static CliException ambiguous(String what, List<String> ids) {
    return new CliException(ExitCodes.USAGE, what + " (" + String.join(", ", ids) + "): name one by its id");
  }
}
