package io.dcloud.environment;

import io.dcloud.environment.EnvironmentEntity.Command;
import io.dcloud.environment.EnvironmentEntity.Exec;
import io.dcloud.environment.EnvironmentEntity.GetFiles;
import io.dcloud.environment.EnvironmentEntity.GetStats;
import io.dcloud.environment.EnvironmentEntity.PutFiles;
import io.dcloud.environment.EnvironmentEntity.Shell;
import io.dcloud.environment.EnvironmentEntity.StreamLogs;
import io.dcloud.environment.EnvironmentEntity.Wiring;
import io.dcloud.node.FilesProtocol;
import io.dcloud.node.NodeProtocol;
import io.dcloud.node.ShellProtocol;

/**
 * The questions only the node that runs an environment's container can answer (its stats, its
 * logs, a command run in it): the entity reads its state, then either answers "unavailable" at
 * once or forwards the question with the container's id, and the node answers the caller directly.
 * Nothing is persisted, and the caller's own timeout covers a lost message.
 */
final class NodeQueries {
  private NodeQueries() {}

  static boolean isQuery(Command command) {
    return command instanceof GetStats || command instanceof StreamLogs || command instanceof Exec
        || command instanceof Shell || command instanceof PutFiles || command instanceof GetFiles;
  }

  /** {@code command} is one for which {@link #isQuery} holds. */
  static void answer(Wiring wiring, String environmentId, EnvironmentState state, Command command) {
    String unavailable = !state.exists() ? "no such environment"
        : state.status() == EnvironmentStatus.DELETED ? "the environment was deleted"
        : null;
    if (command instanceof GetStats cmd) {
      if (unavailable == null && (state.containerId() == null || state.status() != EnvironmentStatus.RUNNING)) {
        unavailable = notRunning(state);
      }
      if (unavailable != null) {
        cmd.replyTo().tell(new NodeProtocol.StatsUnavailable(unavailable));
      } else {
        Convergence.toNode(wiring, state.node(), new NodeProtocol.GetStats(environmentId, state.containerId(), cmd.replyTo()));
      }
    } else if (command instanceof StreamLogs cmd) {
      if (unavailable == null && state.containerId() == null) {
        unavailable = "the environment has no container yet (it is " + state.status() + ")";
      }
      if (unavailable != null) {
        cmd.replyTo().tell(new NodeProtocol.LogsUnavailable(unavailable));
      } else {
        Convergence.toNode(wiring, state.node(),
            new NodeProtocol.StreamLogs(environmentId, state.containerId(), cmd.tail(), cmd.follow(), cmd.replyTo()));
      }
    } else if (command instanceof Exec cmd) {
      if (unavailable == null && (state.containerId() == null || state.status() != EnvironmentStatus.RUNNING)) {
        unavailable = notRunning(state);
      }
      if (unavailable != null) {
        cmd.replyTo().tell(new NodeProtocol.ExecUnavailable(unavailable));
      } else {
        Convergence.toNode(wiring, state.node(), new NodeProtocol.ExecIn(environmentId, state.containerId(), cmd.command(),
            cmd.stdin(), cmd.timeoutMillis(), cmd.maxOutputBytes(), cmd.replyTo()));
      }
    } else if (command instanceof Shell cmd) {
      unavailable = unavailable != null ? unavailable : unlessRunning(state);
      if (unavailable != null) {
        cmd.replyTo().tell(new ShellProtocol.Unavailable(unavailable));
      } else {
        Convergence.toNode(wiring, state.node(), new NodeProtocol.ShellIn(
            environmentId, state.containerId(), cmd.command(), cmd.tty(), cmd.input(), cmd.replyTo()));
      }
    } else if (command instanceof PutFiles cmd) {
      unavailable = unavailable != null ? unavailable : unlessRunning(state);
      if (unavailable != null) {
        cmd.replyTo().tell(new FilesProtocol.Unavailable(unavailable));
      } else {
        Convergence.toNode(wiring, state.node(), new NodeProtocol.PutFilesIn(
            environmentId, state.containerId(), cmd.path(), cmd.archive(), cmd.length(), cmd.content(), cmd.replyTo()));
      }
    } else if (command instanceof GetFiles cmd) {
      unavailable = unavailable != null ? unavailable : unlessRunning(state);
      if (unavailable != null) {
        cmd.replyTo().tell(new FilesProtocol.Unavailable(unavailable));
      } else {
        Convergence.toNode(wiring, state.node(),
            new NodeProtocol.GetFilesIn(environmentId, state.containerId(), cmd.path(), cmd.replyTo()));
      }
    }
  }

  /** Why a command cannot reach the container now; null when it runs. */
  private static String unlessRunning(EnvironmentState state) {
    return state.containerId() == null || state.status() != EnvironmentStatus.RUNNING ? notRunning(state) : null;
  }

  private static String notRunning(EnvironmentState state) {
    return "the environment is " + state.status() + ", not RUNNING";
  }
}
