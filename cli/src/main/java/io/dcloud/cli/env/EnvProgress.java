package io.dcloud.cli.env;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dcloud.cli.common.ApiClient;
import io.dcloud.cli.common.CliException;
import io.dcloud.cli.common.CliIo;
import io.dcloud.cli.common.EnvironmentTable;
import io.dcloud.cli.common.ExitCodes;
import io.dcloud.cli.common.SseEvent;
import io.dcloud.cli.common.SseReader;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Follows a new environment's event stream ({@code GET /environments/{id}/events}) and shows one
 * progress line: its status (and the image build's step n/m), the time since the CLI sent it, and
 * the last line the environment's history or build said (why it is QUEUED, say). On a terminal
 * the line redraws in place every second, cut to the terminal's width; elsewhere (a log, a CI job)
 * one whole line is printed per change of status and per step of the image build, so a long build
 * shows where it is. The progress goes to stderr; stdout gets only
 * the result (URL, else id). A stop or a delete is followed alike, to STOPPED or DELETED ({@link Goal}).
 */
final class EnvProgress {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** The status followed to, and those where following ends without it (the environment will not get there by itself). */
  enum Goal {
    RUNNING("RUNNING", Set.of("RUNNING", "FAILED", "LOST", "STOPPED", "STOPPING", "DELETED")),
    /**
     * RUNNING again after a restart, which passes through STOPPING and, for a moment, STOPPED: its
     * start is written with its stop's end, so a STOPPED that has moved on when asked ends nothing.
     */
    RESTARTED("RUNNING", Set.of("RUNNING", "FAILED", "LOST", "STOPPED", "DELETED")),
    STOPPED("STOPPED", Set.of("STOPPED", "FAILED", "LOST", "DELETED")),
    DELETED("DELETED", Set.of("DELETED"));

    private final String status;
    private final Set<String> ends;

    Goal(String status, Set<String> ends) {
      this.status = status;
      this.ends = ends;
    }
  }
  /** The terminal's width when stty cannot tell. */
  private static final int DEFAULT_COLUMNS = 80;

  private final CliIo io;
  private final ApiClient client;
  private final long startedNanos = System.nanoTime();
  private volatile String status = "";
  private Goal goal = Goal.RUNNING;
  /** The environment followed. */
  private String id;
  /** How long to follow (null: until it gets there or ends elsewhere); past it, exit 1 and the environment goes on. */
  private Duration timeout;
  /** The event stream being read, closed by the timeout to stop a read that blocks. */
  private volatile InputStream reading;
  private volatile boolean timedOut;
  private volatile String message = "";
  /** "step 3/9" of the image build, from the build's progress events; shown while BUILDING. */
  private volatile String buildStep = "";
  /** What the last line printed off a terminal showed: its status and build step. */
  private String printed = "";
  /** How wide the redrawn line may get: the terminal's width; 0 when the line is not redrawn. */
  private final int columns;

  EnvProgress(CliIo io, ApiClient client) {
    this(io, client, io.terminal() ? terminalColumns() : 0);
  }

  /** {@code columns}: the width of the redrawn line; 0 when it is not redrawn (no terminal). */
  EnvProgress(CliIo io, ApiClient client, int columns) {
    this.io = io;
    this.client = client;
    this.columns = columns;
  }

  private static int terminalColumns() {
    int[] size = RawTerminal.size();
    return size != null && size[1] > 0 ? size[1] : DEFAULT_COLUMNS;
  }

  /** Follows for at most {@code timeout} (null: as long as it takes). */
  EnvProgress within(Duration timeout) {
    this.timeout = timeout;
    return this;
  }

  int follow(String id, JsonNode created) {
    return follow(id, created, Goal.RUNNING);
  }

  /** Follows to {@code goal}; exit 7 with the reason when it ends elsewhere. */
  int follow(String id, JsonNode created, Goal goal) {
    JsonNode environment = await(id, created, goal);
    boolean runs = goal.status.equals("RUNNING");
    String url = runs ? EnvironmentTable.text(environment, "url") : null;
    io.out().println(url != null ? url : runs ? id : id + " " + status);
    return ExitCodes.OK;
  }

  /**
   * Follows to {@code goal} with the progress line and prints nothing else: the environment then
   * (null once DELETED); a {@link CliException} (exit 7) naming the reason when it ends elsewhere.
   */
  JsonNode await(String id, JsonNode created, Goal goal) {
    this.goal = goal;
    this.id = id;
    absorb(created);
    ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor(runnable -> {
      Thread thread = new Thread(runnable, "dcloud-progress");
      thread.setDaemon(true);
      return thread;
    });
    if (io.terminal()) {
      ticker.scheduleAtFixedRate(this::show, 0, 1, TimeUnit.SECONDS);
    }
    if (timeout != null) {
      ticker.schedule(this::stopFollowing, timeout.toMillis(), TimeUnit.MILLISECONDS);
    }
    try {
      // The stream ends only when the environment is deleted or the connection drops: then look again.
      while (!ended(status) && !timedOut) {
        readEvents(id);
        if (!ended(status) && !timedOut) {
          status = client.get(EnvCommand.path(id)).path("status").asText("");
        }
      }
    } finally {
      ticker.shutdownNow();
    }
    if (timedOut && !ended(status)) {
      if (io.terminal()) {
        io.err().println();
      }
      throw new CliException(ExitCodes.ERROR, "environment " + id + " is still " + status + " after "
          + format(timeout) + " (--timeout); it goes on: dcloud env get " + id);
    }
    show();
    if (io.terminal()) {
      io.err().println();
    }
    JsonNode environment = status.equals("DELETED") ? null : client.get(EnvCommand.path(id));
    if (!status.equals(goal.status)) {
      String reason = environment == null ? "" : EnvironmentTable.text(environment, "reason");
      throw new CliException(ExitCodes.ENVIRONMENT_FAILED, "environment " + id + " is " + status
          + (reason == null || reason.isBlank() ? "" : ": " + reason));
    }
    return environment;
  }

  private boolean ended(String status) {
    return goal.ends.contains(status);
  }

  private void readEvents(String id) {
    try (InputStream events = client.stream(client.request(EnvCommand.path(id) + "/events")
        .header("Accept", "text/event-stream")).body()) {
      reading = events;
      if (timedOut) {
        return;
      }
      SseReader.read(events, event -> {
        update(event);
        return !ended(status) && !timedOut;
      });
    } catch (IOException e) {
      if (!timedOut) {
        throw client.unreachable(e);
      }
    } finally {
      reading = null;
    }
  }

  /** The timeout: the blocked read ends as its stream closes. */
  private void stopFollowing() {
    timedOut = true;
    InputStream events = reading;
    if (events != null) {
      try {
        events.close();
      } catch (IOException alreadyGone) {
        // Closed either way.
      }
    }
  }

  /**
   * {@code status} events carry the environment (first: its history's last line says why it is
   * where it is, e.g. QUEUED behind what) or a status update; {@code progress} a build line.
   */
  void update(SseEvent event) {
    try {
      absorb(JSON.readTree(event.data()));
    } catch (IOException notJson) {
      // Not an event of ours.
    }
  }

  /** An environment (its status and its history's last line) or one line of its feed, shown. */
  private void absorb(JsonNode data) {
    String next = data.path("status").asText("");
    JsonNode history = data.path("history");
    String line = history.isArray() && !history.isEmpty()
        ? history.get(history.size() - 1).path("message").asText("")
        : data.path("message").asText("");
    if (!line.isBlank()) {
      message = line.strip();
    }
    if (data.path("step").isInt() && data.path("steps").isInt()) {
      buildStep = "step " + data.path("step").asInt() + "/" + data.path("steps").asInt();
    }
    if (!next.isEmpty()) {
      status = goal == Goal.RESTARTED && next.equals("STOPPED") ? client.get(EnvCommand.path(id)).path("status").asText(next) : next;
    }
    show();
  }

  /** The progress line as it stands: status, build step while BUILDING, elapsed, the last line said. */
  String line() {
    String current = status;
    String elapsed = format(Duration.ofNanos(System.nanoTime() - startedNanos));
    String step = current.equals("BUILDING") && !buildStep.isEmpty() ? "  " + buildStep : "";
    String line = current + step + "  " + elapsed + (message.isEmpty() ? "" : "  " + message);
    // One column short of the width: writing the last one would wrap the cursor on some terminals.
    return columns > 0 && line.length() >= columns ? line.substring(0, Math.max(0, columns - 4)) + "..." : line;
  }

  private synchronized void show() {
    String current = status;
    String shown = current.equals("BUILDING") ? current + " " + buildStep : current;
    String line = line();
    if (io.terminal()) {
      io.err().print("\r\033[K" + line);
      io.err().flush();
    } else if (!shown.equals(printed)) {
      printed = shown;
      io.err().println(line);
    }
  }

  static String format(Duration elapsed) {
    long seconds = elapsed.toSeconds();
    return seconds < 60 ? seconds + "s" : seconds / 60 + "m" + String.format("%02ds", seconds % 60);
  }
}
