package io.dcloud.gateway.environment;

import io.dcloud.client.protocol.DCloudProtocol;
import io.dcloud.environment.EnvironmentView;
import io.dcloud.gateway.common.Problem;
import io.dcloud.gateway.common.ProblemExceptions;
import io.dcloud.spec.PublishedPort;
import java.time.Duration;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The client protocol's records for what the HTTP API would answer: views, and problems as refusals. */
final class ClientReplies {
  private static final Logger log = LoggerFactory.getLogger(ClientReplies.class);

  private ClientReplies() {}

  static DCloudProtocol.Environment environment(EnvironmentView view) {
    List<PublishedPort> ports = view.ports() == null ? List.of() : view.ports();
    return new DCloudProtocol.Environment(
        view.id(), view.name(), view.owner(), view.status().name(), view.node(), view.reason(), view.queuePosition(),
        ports.stream().map(p -> new DCloudProtocol.Port(p.containerPort(), p.protocol(), p.hostIp(), p.hostPort())).toList(),
        view.createdAt(), view.updatedAt());
  }

  static DCloudProtocol.Refused refused(Problem problem) {
    return new DCloudProtocol.Refused(problem.type(), problem.title(), problem.detail(),
        problem.errors().stream().map(e -> new DCloudProtocol.FieldError(e.field(), e.reason())).toList());
  }

  static DCloudProtocol.NotFound notFound(String id, Problem problem) {
    return new DCloudProtocol.NotFound(id, problem.detail());
  }

  /**
   * A failed request's answer: its problem as the HTTP API has it (404 as {@link DCloudProtocol.NotFound});
   * anything else is a bug, logged and answered as an internal error without internals.
   */
  static DCloudProtocol.Reply failed(String id, Object request, Throwable failure, Duration askTimeout) {
    Problem problem = ProblemExceptions.known(failure, askTimeout);
    if (problem == null) {
      log.error("Client request {} failed unexpectedly", request, ProblemExceptions.unwrap(failure));
      return refused(Problem.of(Problem.Type.INTERNAL_ERROR, "the gateway failed to answer this request; the failure was logged"));
    }
    if (problem.type().equals(Problem.Type.NOT_FOUND.uri())) {
      return notFound(id, problem);
    }
    return refused(problem);
  }
}
