package io.dcloud.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.dcloud.cli.common.ApiClient;
import io.dcloud.cli.common.ExitCodes;
import io.dcloud.cli.common.Subcommand;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * {@code dcloud __names NOUN}: what a TAB offers where a command of {@code NOUN} takes a name or an id
 * (the completion script asks it, as kubectl's asks {@code __complete}): the names or ids of the
 * caller's things of that kind, one a line, from the gateway signed in to. Not for people: hidden, and
 * silent on any failure (no gateway, not signed in) so that a TAB never prints an error into a line.
 */
@Command(name = "__names", hidden = true)
final class CompletionNames extends Subcommand implements Callable<Integer> {
  /** Where a noun's things are listed and what names each: of a {@code paged} listing, its first page. */
  record Listing(String path, String key, String field, boolean paged) {}

  /** The nouns whose verbs take a NAME or an ID first; a noun not here gets no names. */
  static final Map<String, Listing> LISTINGS = Map.ofEntries(
      Map.entry("env", new Listing("/environments", "environments", "name", true)),
      Map.entry("services", new Listing("/services", "services", "name", true)),
      Map.entry("jobs", new Listing("/jobs", "jobs", "id", true)),
      Map.entry("nodes", new Listing("/nodes", "nodes", "id", false)),
      Map.entry("users", new Listing("/users", "users", "username", false)),
      Map.entry("groups", new Listing("/groups", "groups", "name", false)),
      Map.entry("templates", new Listing("/templates", "templates", "name", false)),
      Map.entry("models", new Listing("/models", "models", "name", false)),
      Map.entry("apps", new Listing("/apps", "apps", "name", false)),
      Map.entry("data", new Listing("/datasets", "datasets", "dataset", false)),
      Map.entry("devices", new Listing("/devices", "items", "id", false)),
      Map.entry("sensor-types", new Listing("/sensor-types", "items", "name", false)));
  /** A TAB lists no more than this: past it, typing the start narrows faster than reading. */
  private static final int MOST = 500;

  @Parameters(paramLabel = "NOUN")
  String noun;

  @Override
  public Integer call() {
    Listing listing = LISTINGS.get(noun);
    if (listing == null) {
      return ExitCodes.USAGE;
    }
    try {
      ApiClient client = client();
      JsonNode things = client.get(listing.path() + (listing.paged() ? ApiClient.query(Map.of("limit", MOST)) : ""))
          .path(listing.key());
      TreeSet<String> names = new TreeSet<>();
      things.forEach(thing -> {
        if (thing.path(listing.field()).isTextual() && names.size() < MOST) {
          names.add(thing.path(listing.field()).asText());
        }
      });
      names.forEach(io().out()::println);
      return ExitCodes.OK;
    } catch (RuntimeException unanswered) {
      return ExitCodes.ERROR;
    }
  }
}
