package io.dcloud.cli.node;

import com.fasterxml.jackson.databind.JsonNode;
import io.dcloud.cli.common.ApiClient;
import io.dcloud.cli.common.CliException;
import io.dcloud.cli.common.CliIo;
import io.dcloud.cli.common.ExitCodes;
import java.time.Duration;

/**
 * {@code dcloud nodes drain ID --wait}: follows a drain until the node holds no environment, as
 * {@code kubectl drain} waits for its evictions and {@code nomad node drain} monitors by default:
 * a line on stderr each time the count changes. A drain called off (the node uncordoned) or one
 * still going at the timeout ends the wait with an error that says so.
 */
final class DrainWait {
  /** How often the node is looked at. */
  private static final Duration POLL = Duration.ofSeconds(1);

  private final CliIo io;
  private final ApiClient client;

  DrainWait(CliIo io, ApiClient client) {
    this.io = io;
    this.client = client;
  }

  /** Returns the node as it was when it held none; throws when the drain is called off or takes longer than {@code timeout}. */
  JsonNode await(String id, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    int printed = -1;
    while (true) {
      JsonNode node = node(id);
      String state = node.path("state").asText();
      int left = node.path("environmentCount").asInt(0);
      if (left == 0) {
        io.err().println(id + ": drained, no environment left on it");
        return node;
      } else if (!state.equals("DRAINING")) {
        throw new CliException(ExitCodes.REFUSED, "the drain of " + id + " was called off (it is " + state + ") with "
            + left + " environment(s) still on it");
      } else if (System.nanoTime() >= deadline) {
        throw new CliException(ExitCodes.ERROR, id + " still holds " + left + " environment(s) after "
            + timeout.toSeconds() + " s; it stays cordoned and draining ('dcloud nodes drain " + id + " --wait' follows it again)");
      }
      if (left != printed) {
        io.err().println(id + ": draining, " + left + " environment(s) left");
        printed = left;
      }
      Thread.sleep(POLL.toMillis());
    }
  }

  private JsonNode node(String id) {
    for (JsonNode node : client.get("/nodes").path("nodes")) {
      if (id.equals(node.path("id").asText())) {
        return node;
      }
    }
    throw new CliException(ExitCodes.NOT_FOUND, "node " + id + " left the cluster while it drained");
  }
}
