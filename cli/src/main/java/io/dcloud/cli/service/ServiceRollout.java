package io.dcloud.cli.service;

import com.fasterxml.jackson.databind.JsonNode;
import io.dcloud.cli.common.ApiClient;
import io.dcloud.cli.common.CliException;
import io.dcloud.cli.common.CliIo;
import io.dcloud.cli.common.EnvironmentTable;
import io.dcloud.cli.common.ExitCodes;
import java.time.Duration;

/**
 * Follows a service rolling to a version ({@code GET /services/{name}} once a {@link #POLL}) and
 * prints one progress line on stderr each time it changes, until every replica is of that version
 * and ready; while one is not, the line says why (its status and its environment's reason). A newer version (someone deployed again) ends the wait: that roll is not this one.
 */
public final class ServiceRollout {
  /** How often the service is looked at: a replica takes seconds to minutes to become ready. */
  static final Duration POLL = Duration.ofSeconds(1);

  private final CliIo io;
  private final ApiClient client;

  public ServiceRollout(CliIo io, ApiClient client) {
    this.io = io;
    this.client = client;
  }

  /** Where a roll stands: replicas of the version that are ready, those desired, and those of earlier versions. */
  public record Progress(int ready, int desired, int outdated) {
    public boolean done() {
      return ready >= desired && outdated == 0;
    }

    public String line(String name, int version) {
      return name + ": " + ready + "/" + desired + " replicas of version " + version + " ready"
          + (outdated == 0 ? "" : ", " + outdated + " of earlier versions still serving");
    }

    public static Progress of(JsonNode service, int version) {
      int ready = 0;
      int outdated = 0;
      for (JsonNode replica : service.path("replicas")) {
        if (replica.path("version").asInt(1) != version) {
          outdated++;
        } else if (replica.path("ready").asBoolean()) {
          ready++;
        }
      }
      return new Progress(ready, service.path("desiredReplicas").asInt(), outdated);
    }
  }

  /** What a roll waiting for room for its one extra replica can do instead, as the API's quota refusal says it. */
  static final String NO_ROOM_FOR_THE_SURGE =
      " (the roll adds one replica before an old one goes; \"surge\": 0 replaces them one at a time without the room)";

  /** It rolls with a surge of one and an earlier version still serves: the waiting replica is the extra one. */
  private static boolean rollsWithSurge(JsonNode service, int version) {
    return service.path("surge").asInt(1) > 0 && Progress.of(service, version).outdated() > 0;
  }

  /**
   * Why the roll waits, from the first replica of the version that is not ready: its status and
   * the reason its environment gives (queued behind what, building, failed why), as {@code kubectl
   * describe} would show it, so a roll that cannot go on says so instead of counting to nothing.
   */
  static String waitingFor(JsonNode service, int version) {
    for (JsonNode replica : service.path("replicas")) {
      if (replica.path("version").asInt(1) != version || replica.path("ready").asBoolean()) {
        continue;
      }
      String id = replica.path("id").asText();
      String status = replica.path("status").asText("");
      String reason = EnvironmentTable.text(replica, "reason");
      if (status.isEmpty() || status.equals("RUNNING")) {
        // Running, it says why it is not ready once its node has probed it (not ready: GET /ready answered 503).
        return status.isEmpty() ? "" : "; replica " + id + " RUNNING, " + (reason == null ? "not ready yet" : reason);
      }
      return "; replica " + id + " " + status + (reason == null || reason.isBlank() ? "" : ": " + reason)
          + (reason != null && reason.startsWith("no node has room") && rollsWithSurge(service, version)
              ? NO_ROOM_FOR_THE_SURGE : "");
    }
    return "";
  }

  public void await(String name, int version) throws InterruptedException {
    String printed = "";
    while (true) {
      JsonNode service = client.get("/services/" + ApiClient.segment(name));
      int now = service.path("version").asInt();
      if (now != version) {
        throw new CliException(ExitCodes.REFUSED, name + " went on to version " + now + " while version " + version
            + " rolled out: no longer waiting for it");
      }
      Progress progress = Progress.of(service, version);
      String line = progress.line(name, version) + (progress.done() ? "" : waitingFor(service, version));
      if (!line.equals(printed)) {
        io.err().println(line);
        printed = line;
      }
      if (progress.done()) {
        return;
      }
      Thread.sleep(POLL.toMillis());
    }
  }
}
