package io.dcloud.cli.common;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * What the command line takes for a thing the API names by id (an environment, a job), as {@code
 * docker} takes a container: its id, its name when no other the caller sees has it (things with
 * names), or the start of its id when no other's id starts so. The API itself takes ids only: a name
 * or a prefix is resolved here before the request, with the caller's listing filtered by that name
 * or that prefix (one request for the few that match).
 */
public final class Refs {
  private static final Pattern ID = Pattern.compile("[0-9a-fA-F]{8}(-[0-9a-fA-F]{4}){3}-[0-9a-fA-F]{12}");
  /** What the listings' {@code idPrefix} takes; anything else starts no id. */
  private static final Pattern ID_START = Pattern.compile("[0-9a-fA-F-]{1,36}");
  private static final int PAGE = 500;

  /**
   * A kind of thing: its noun, the listing's path and key, whether the listing filters by {@code
   * name}, and the command that lists them.
   */
  public record Kind(String noun, String path, String key, boolean named, String listCommand) {}

  public static final Kind ENVIRONMENT = new Kind("environment", "/environments", "environments", true, "dcloud env ls");
  public static final Kind JOB = new Kind("job", "/jobs", "jobs", false, "dcloud jobs ls");

  private Refs() {}

  /** The id of the {@code kind} that {@code reference} names; fails naming the candidates when it names several. */
  public static String resolve(ApiClient client, Kind kind, String reference) {
    if (ID.matcher(reference).matches()) {
      return reference;
    }
    if (kind.named()) {
      List<String> named = ids(listing(client, kind, Map.of("name", reference)));
      if (named.size() == 1) {
        return named.get(0);
      } else if (named.size() > 1) {
        throw ambiguous(named.size() + " " + kind.key() + " are named " + reference, named);
      }
    }
    List<String> starting = ID_START.matcher(reference).matches()
        ? ids(listing(client, kind, Map.of("idPrefix", reference.toLowerCase(Locale.ROOT))))
        : List.of();
    if (starting.size() == 1) {
      return starting.get(0);
    } else if (starting.size() > 1) {
      throw ambiguous(starting.size() + " " + kind.key() + "' ids start with " + reference, starting);
    }
    throw new CliException(ExitCodes.NOT_FOUND, kind.noun() + " " + reference + " was not found: none of yours has that id"
        + (kind.named() ? ", that name," : "") + " or an id that starts so (" + kind.listCommand() + " lists them)");
  }

  private static JsonNode listing(ApiClient client, Kind kind, Map<String, ?> query) {
    return ChunkSizeOption.listAll(client, kind.path(), new HashMap<>(query), kind.key(), PAGE).path(kind.key());
  }

  private static List<String> ids(JsonNode things) {
    List<String> ids = new ArrayList<>();
    things.forEach(thing -> ids.add(thing.path("id").asText()));
    Collections.sort(ids);
    return ids;
  }

  private static CliException ambiguous(String what, List<String> ids) {
    return new CliException(ExitCodes.USAGE, what + " (" + String.join(", ", ids) + "): name one by its id");
  }
}
