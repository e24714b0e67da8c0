package io.dcloud.cli.env;

import com.fasterxml.jackson.databind.JsonNode;
import io.dcloud.cli.common.ApiClient;
import io.dcloud.cli.common.CliException;
import io.dcloud.cli.common.ExitCodes;
import io.dcloud.cli.common.Refs;
import io.dcloud.cli.common.Subcommand;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code dcloud env stop|start|restart|rm ID…}: accepted at once (202); stop and rm print the status
 * each has then, or with {@code --wait} follow it to STOPPED or DELETED (as {@code docker stop} and
 * {@code kubectl delete} wait); start and restart follow each until it runs (unless {@code --detach}).
 * Several at once as {@code docker stop a b} takes them: every request is sent first, so they change
 * together, then each is followed in turn; one that fails is said on stderr and the others go on, the
 * first failure's exit status at the end.
 */
final class EnvLifecycleCommands {
  private EnvLifecycleCommands() {}

  private abstract static class Change extends Subcommand implements Callable<Integer> {
    @Parameters(arity = "1..*", paramLabel = "ID", description = "The environments: ids, names, or the starts of ids")
    List<String> references;

    /** How long each is followed at most (none: as long as it takes). */
    @Mixin
    FollowTimeout following;

    /** What it is followed to when it is. */
    private final EnvProgress.Goal goal;
    /** The action's path under the environment's ({@code /stop}); null: the request is its DELETE. */
    private final String action;

    Change(EnvProgress.Goal goal, String action) {
      this.goal = goal;
      this.action = action;
    }

    private JsonNode send(ApiClient client, String path) {
      return action == null ? client.delete(path) : client.post(path + action, null);
    }

    /** Whether each is followed to its goal; if not, its status is printed. */
    abstract boolean followed();

    @Override
    public Integer call() {
      ApiClient client = client();
      Map<String, JsonNode> sent = new LinkedHashMap<>();
      int status = ExitCodes.OK;
      for (String reference : references) {
        status = worst(status, attempt(() -> {
          String id = Refs.resolve(client, Refs.ENVIRONMENT, reference);
          sent.put(id, send(client, EnvCommand.path(id)));
        }));
      }
      for (Map.Entry<String, JsonNode> each : sent.entrySet()) {
        status = worst(status, attempt(() -> {
          if (!followed()) {
            io().out().println(each.getKey() + " " + each.getValue().path("status").asText("?"));
          } else {
            new EnvProgress(io(), client).within(following.timeout).follow(each.getKey(), each.getValue(), goal);
          }
        }));
      }
      return status;
    }

    /** One environment's part; with several, its failure is said and the rest go on (with one, it ends the command as before). */
    private int attempt(Runnable part) {
      if (references.size() == 1) {
        part.run();
        return ExitCodes.OK;
      }
      try {
        part.run();
        return ExitCodes.OK;
      } catch (CliException failed) {
        io().err().println("dcloud: " + failed.getMessage());
        return failed.exitCode();
      }
    }

    private static int worst(int sofar, int next) {
      return sofar != ExitCodes.OK ? sofar : next;
    }
  }

  /** A change a script may wait for: the next command often needs it done (a start after a stop). */
  private abstract static class AwaitableChange extends Change {
    @Option(names = "--wait", description = "Follow each until it is done, with a progress line on stderr")
    boolean await;

    AwaitableChange(EnvProgress.Goal goal, String action) {
      super(goal, action);
    }

    @Override
    boolean followed() {
      return await;
    }
  }

  /** A change followed until it runs, as {@code env create} follows a create: it may queue, or build its image again. */
  private abstract static class FollowedChange extends Change {
    @Option(names = {"-d", "--detach"}, description = "Print the status and return without waiting")
    boolean detach;

    FollowedChange(EnvProgress.Goal goal, String action) {
      super(goal, action);
    }

    @Override
    boolean followed() {
      return !detach;
    }
  }

  @Command(name = "stop", description = "Stop the environments' containers (their storage stays); --wait until they have")
  static final class Stop extends AwaitableChange {
    Stop() {
      super(EnvProgress.Goal.STOPPED, "/stop");
    }
  }

  @Command(name = "start", description = "Start stopped environments again and follow each until it runs (its URL, else id, on stdout)")
  static final class Start extends FollowedChange {
    Start() {
      super(EnvProgress.Goal.RUNNING, "/start");
    }
  }

  /**
   * Stop, then start again once stopped, as {@code docker restart}: one request each, the rest carried
   * through by DCloud (a stopped one is started), followed until it runs again.
   */
  @Command(name = "restart", description = "Stop the environments, then start each again on its node, and follow each until it runs")
  static final class Restart extends FollowedChange {
    Restart() {
      super(EnvProgress.Goal.RESTARTED, "/restart");
    }
  }

  @Command(name = "rm", aliases = "delete", description = "Delete the environments; --wait until they are gone")
  static final class Remove extends AwaitableChange {
    Remove() {
      super(EnvProgress.Goal.DELETED, null);
    }
  }
}
