package io.dcloud.cli.env;

import com.fasterxml.jackson.databind.JsonNode;
import io.dcloud.cli.common.ApiClient;
import io.dcloud.cli.common.ExitCodes;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code dcloud env stop|start|restart|rm ID}: accepted at once (202); stop and rm print the status it
 * has then, or with {@code --wait} follow it to STOPPED or DELETED (as {@code docker stop} and {@code
 * kubectl delete} wait); start and restart follow it until it runs (unless {@code --detach}).
 */
final class EnvLifecycleCommands {
  private EnvLifecycleCommands() {}

  private abstract static class Change extends EnvironmentCommand implements Callable<Integer> {

    abstract JsonNode send(ApiClient client);

    @Override
    public Integer call() {
      JsonNode environment = send(client());
      io().out().println(id() + " " + environment.path("status").asText("?"));
      return ExitCodes.OK;
    }
  }

  /** A change a script may wait for: the next command often needs it done (a start after a stop). */
  private abstract static class AwaitableChange extends Change {
    @Option(names = "--wait", description = "Follow it until it is done, with a progress line on stderr")
    boolean await;

    @Mixin
    FollowTimeout following;

    abstract EnvProgress.Goal goal();

    @Override
    public Integer call() {
      if (!await) {
        return super.call();
      }
      ApiClient client = client();
      return new EnvProgress(io(), client).within(following.timeout).follow(id(), send(client), goal());
    }
  }

  @Command(name = "stop", description = "Stop the environment's container (its storage stays); --wait until it has")
  static final class Stop extends AwaitableChange {
    @Override
    EnvProgress.Goal goal() {
      return EnvProgress.Goal.STOPPED;
    }

    @Override
    JsonNode send(ApiClient client) {
      return client.post(path() + "/stop", null);
    }
  }

  /** A change followed until it runs, as {@code env create} follows a create: it may queue, or build its image again. */
  private abstract static class FollowedChange extends Change {
    @Option(names = {"-d", "--detach"}, description = "Print the status and return without waiting")
    boolean detach;

    @Mixin
    FollowTimeout following;

    abstract EnvProgress.Goal goal();

    @Override
    public Integer call() {
      if (detach) {
        return super.call();
      }
      ApiClient client = client();
      return new EnvProgress(io(), client).within(following.timeout).follow(id(), send(client), goal());
    }
  }

  @Command(name = "start", description = "Start a stopped environment again and follow it until it runs (its URL, else id, on stdout)")
  static final class Start extends FollowedChange {
    @Override
    EnvProgress.Goal goal() {
      return EnvProgress.Goal.RUNNING;
    }

    @Override
    JsonNode send(ApiClient client) {
      return client.post(path() + "/start", null);
    }
  }

  /**
   * Stop, then start again once stopped, as {@code docker restart}: one request, the rest carried
   * through by DCloud (a stopped one is started), followed until it runs again.
   */
  @Command(name = "restart", description = "Stop the environment, then start it again on its node, and follow it until it runs")
  static final class Restart extends FollowedChange {
    @Override
    EnvProgress.Goal goal() {
      return EnvProgress.Goal.RESTARTED;
    }

    @Override
    JsonNode send(ApiClient client) {
      return client.post(path() + "/restart", null);
    }
  }

  @Command(name = "rm", aliases = "delete", description = "Delete the environment; --wait until it is gone")
  static final class Remove extends AwaitableChange {
    @Override
    EnvProgress.Goal goal() {
      return EnvProgress.Goal.DELETED;
    }

    @Override
    JsonNode send(ApiClient client) {
      return client.delete(path());
    }
  }
}
