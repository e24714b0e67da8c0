package io.dcloud.gateway.environment;

import com.typesafe.config.Config;
import io.dcloud.environment.EnvironmentEntity;
import io.dcloud.environment.EnvironmentView;
import io.dcloud.gateway.common.AuditLog;
import io.dcloud.gateway.common.ClusterAsks;
import io.dcloud.gateway.common.GatewaySettings;
import io.dcloud.gateway.common.JsonYaml;
import io.dcloud.gateway.common.Problem;
import io.dcloud.gateway.common.RequestBodies;
import io.dcloud.identity.Caller;
import io.dcloud.node.NodeProtocol;
import java.time.Duration;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code POST /environments/{id}/exec}: runs one command in a RUNNING environment, on the node that
 * runs it (the entity forwards it; no client reaches a node's Docker), as the container's own user,
 * and answers its exit code and output (see {@link ExecRequest} for the body). Only the owner or an
 * admin may: members of a group it is shared with see it read-only (403), others get 404. A
 * command past its timeout is answered 200 with {@code timedOut: true}, {@code exitCode: null} and
 * the output it printed so far. Every run is in the audit log.
 */
public final class EnvironmentExec extends AllDirectives {
  private static final Logger log = LoggerFactory.getLogger(EnvironmentExec.class);
  private static final String ACTION = "environment.exec";
  /** Beyond the command's own timeout: the hops to the node and back, and reading the exit code. */
  private static final Duration ANSWER_MARGIN = Duration.ofSeconds(10);

  private final ClusterAsks asks;
  private final JsonYaml codec;
  private final RequestBodies bodies;
  private final GatewaySettings settings;
  private final ExecRequest.Limits limits;
  private final AuditLog audit;

  public EnvironmentExec(ClusterAsks asks, JsonYaml codec, RequestBodies bodies, GatewaySettings settings, Config config,
      AuditLog audit) {
    this.asks = asks;
    this.codec = codec;
    this.bodies = bodies;
    this.settings = settings;
    this.limits = ExecRequest.Limits.fromConfig(config);
    this.audit = audit;
  }

  /** {@code exitCode} is null when {@code timedOut}. */
  record ExecAnswer(Integer exitCode, String stdout, String stderr, boolean truncated, boolean timedOut) {}

  public Route route(String id, Caller caller) {
    return post(() -> bodies.document(body -> {
      ExecRequest request = ExecRequest.read(body, settings.specLimits(), limits);
      Duration within = request.timeout().plus(settings.askTimeout()).plus(ANSWER_MARGIN);
      // The server's request-timeout is shorter than a long command: this request waits as long as it may run.
      return withRequestTimeout(scala.concurrent.duration.Duration.fromNanos(within.plus(ANSWER_MARGIN).toNanos()),
          () -> completeWithFuture(exec(id, caller, request, within)));
    }));
  }

  private CompletionStage<HttpResponse> exec(String id, Caller caller, ExecRequest request, Duration within) {
    return EnvironmentReplies.view(asks, id, caller)
        .thenCompose(view -> {
          mayRun(id, caller, view);
          return asks.<NodeProtocol.ExecReply>environment(id, replyTo -> new EnvironmentEntity.Exec(
              request.command(), request.stdin(), request.timeout().toMillis(), limits.maxOutputBytes(), replyTo), within);
        })
        .thenApply(reply -> answer(id, caller, reply));
  }

  private void mayRun(String id, Caller caller, EnvironmentView view) {
    if (!caller.mayAccess(view.owner())) {
      audit.record(caller, ACTION, id, "forbidden");
      throw Problem.of(Problem.Type.FORBIDDEN, "environment " + id + " is shared with a group of yours to see: only "
          + view.owner() + " or an admin may run commands in it").exception();
    }
  }

  private HttpResponse answer(String id, Caller caller, NodeProtocol.ExecReply reply) {
    if (reply instanceof NodeProtocol.ExecResult result) {
      String outcome = result.timedOut() ? "timed-out" : "exit " + result.exitCode();
      audit.record(caller, ACTION, id, outcome);
      log.info("Environment {}: {} ran a command in it ({})", id, caller.username(), outcome);
      return codec.jsonResponse(StatusCodes.OK, new ExecAnswer(
          result.exitCode(), result.stdout(), result.stderr(), result.truncated(), result.timedOut()));
    }
    String reason = ((NodeProtocol.ExecUnavailable) reply).reason();
    audit.record(caller, ACTION, id, "refused");
    throw Problem.conflict("cannot run a command in environment " + id + ": " + reason).exception();
  }
}
