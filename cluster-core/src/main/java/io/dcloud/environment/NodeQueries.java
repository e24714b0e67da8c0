package io.dcloud.environment;

import io.dcloud.environment.EnvironmentEntity.Command;
import io.dcloud.environment.EnvironmentEntity.Exec;
import io.dcloud.environment.EnvironmentEntity.GetFiles;
import io.dcloud.environment.EnvironmentEntity.GetStats;
import io.dcloud.environment.EnvironmentEntity.PutFiles;
import io.dcloud.environment.EnvironmentEntity.Shell;
import io.dcloud.environment.EnvironmentEntity.Proxy;
import io.dcloud.environment.EnvironmentEntity.StreamLogs;
import io.dcloud.environment.EnvironmentSharding.Wiring;
import io.dcloud.node.FilesProtocol;
import io.dcloud.node.NodeProtocol;
import io.dcloud.node.ShellProtocol;
import io.dcloud.node.ProxyWire;
import io.dcloud.spec.PublishedPort;
import java.util.Optional;

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
        || command instanceof Shell || command instanceof PutFiles || command instanceof GetFiles
        || command instanceof Proxy;
  }

  /** {@code command} is one for which {@link #isQuery} holds. */
  static void answer(Wiring wiring, String environmentId, EnvironmentState state, Command command) {
    String unavailable = !state.exists() ? "no such environment"
        : state.status() == EnvironmentStatus.DELETED ? "the environment was deleted"
        : null;
    if (command instanceof GetStats cmd) {
      unavailable = unavailable != null ? unavailable : unlessRunning(state);
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
            new NodeProtocol.StreamLogs(environmentId, state.containerId(), cmd.tail(), cmd.follow(), cmd.replyTo(),
                cmd.since(), cmd.timestamps()));
      }
    } else if (command instanceof Exec cmd) {
      unavailable = unavailable != null ? unavailable : unlessRunning(state);
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
    } else if (command instanceof Proxy cmd) {
      proxy(wiring, environmentId, state, cmd, unavailable);
    }
  }

  /** Why a command cannot reach the container now; null when it runs. */
  private static String unlessRunning(EnvironmentState state) {
    return state.containerId() == null || state.status() != EnvironmentStatus.RUNNING ? notRunning(state) : null;
  }

  /** Only to a port the environment publishes: its node reaches the container there. */
  private static void proxy(Wiring wiring, String environmentId, EnvironmentState state, Proxy cmd, String unavailable) {
    unavailable = unavailable != null ? unavailable : unlessRunning(state);
    if (unavailable != null) {
      cmd.replyTo().tell(new ProxyWire.Unavailable(ProxyWire.Why.NOT_RUNNING, unavailable));
      return;
    }
    Optional<PublishedPort> port = state.ports().stream()
        .filter(p -> p.containerPort() == cmd.port() && "tcp".equals(p.protocol()) && p.hostPort() != null)
        .findFirst();
    if (port.isEmpty()) {
      cmd.replyTo().tell(new ProxyWire.Unavailable(ProxyWire.Why.NO_SUCH_PORT, "environment " + environmentId
          + " publishes no TCP port " + cmd.port() + " (its ports: "
          + state.ports().stream().map(p -> p.containerPort() + "/" + p.protocol()).toList() + ")"));
      return;
    }
    Convergence.toNode(wiring, state.node(),
        new NodeProtocol.ProxyTo(environmentId, state.containerId(), port.get(), cmd.call(), cmd.replyTo()));
  }

  private static String notRunning(EnvironmentState state) {
    return "the environment is " + state.status() + ", not RUNNING";
  }
}
