package io.dcloud.gateway.environment;

import io.dcloud.client.protocol.DCloudProtocol;
import io.dcloud.client.protocol.DCloudProtocol.Reply;
import io.dcloud.client.protocol.DCloudProtocol.Request;
import io.dcloud.environment.EnvironmentEntity;
import io.dcloud.gateway.common.ClusterAsks;
import io.dcloud.gateway.common.GatewaySettings;
import io.dcloud.gateway.common.JsonYaml;
import io.dcloud.gateway.common.JsonYaml.BodyFormat;
import io.dcloud.gateway.common.Problem;
import io.dcloud.gateway.identity.Authentication;
import io.dcloud.identity.Caller;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.receptionist.Receptionist;
import org.apache.pekko.util.ByteString;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gateway for other services ({@link DCloudProtocol}): registered with the Receptionist, it takes
 * requests from cluster members with the role {@code client}. Membership grants nothing: each request's
 * token is checked as the HTTP API checks a bearer token ({@link Authentication#bearer}), then the
 * HTTP API's own code decides — roles, parsing and quota ({@link EnvironmentCreation}), ownership
 * ({@link EnvironmentReplies}, {@link EnvironmentChanges}) — and refusals carry its problems.
 * Stateless: every request is answered from its own asynchronous chain.
 */
public final class ClientService {
  private static final Logger log = LoggerFactory.getLogger(ClientService.class);
  private static final String ORIGIN = "through the client protocol";

  private final Authentication authentication;
  private final ClusterAsks asks;
  private final EnvironmentCreation creation;
  private final JsonYaml codec;
  private final GatewaySettings settings;
  private final ClientWatch watch;

  private ClientService(
      Authentication authentication, ClusterAsks asks, EnvironmentCreation creation, JsonYaml codec,
      GatewaySettings settings, ClientWatch watch) {
    this.authentication = authentication;
    this.asks = asks;
    this.creation = creation;
    this.codec = codec;
    this.settings = settings;
    this.watch = watch;
  }

  public static Behavior<Request> create(
      Authentication authentication, ClusterAsks asks, EnvironmentCreation creation, JsonYaml codec,
      GatewaySettings settings) {
    return Behaviors.setup(context -> {
      context.getSystem().receptionist().tell(Receptionist.register(DCloudProtocol.SERVICE_KEY, context.getSelf()));
      log.info("Client service ({}) registered: cluster members with the role client may send it requests",
          DCloudProtocol.NAME);
      ClientService service = new ClientService(authentication, asks, creation, codec, settings,
          new ClientWatch(context.getSystem(), asks, settings.sseBuffer()));
      return Behaviors.receive(Request.class)
          .onMessage(Request.class, request -> {
            service.handle(request);
            return Behaviors.same();
          })
          .build();
    });
  }

  private void handle(Request request) {
    // DEBUG: a busy service sends many; the records' toString leaves the token out.
    log.debug("Client request {} from {}", request, request.replyTo().path().address());
    Optional<Caller> caller = request.token() == null ? Optional.empty() : authentication.bearer(request.token());
    if (caller.isEmpty()) {
      request.replyTo().tell(ClientReplies.refused(Problem.of(Problem.Type.UNAUTHENTICATED, Authentication.INVALID_BEARER)));
      return;
    }
    Caller from = caller.get().from("cluster member " + request.replyTo().path().address());
    CompletionStage<Reply> reply;
    try {
      reply = answer(request, from);
    } catch (RuntimeException failure) {
      reply = CompletableFuture.failedFuture(failure);
    }
    reply.whenComplete((answer, failure) -> request.replyTo().tell(
        failure == null ? answer : ClientReplies.failed(idOf(request), request, failure, settings.askTimeout())));
  }

  private CompletionStage<Reply> answer(Request request, Caller caller) {
    if (request instanceof DCloudProtocol.Create create) {
      return create(create, caller);
    }
    String id = idOf(request);
    Optional<String> canonical = id == null ? Optional.empty() : EnvironmentIds.canonical(id);
    if (canonical.isEmpty()) {
      return CompletableFuture.completedFuture(ClientReplies.notFound(id, EnvironmentReplies.notFound(id)));
    }
    if (request instanceof DCloudProtocol.Get) {
      return EnvironmentReplies.view(asks, canonical.get(), caller)
          .thenApply(view -> new DCloudProtocol.Found(ClientReplies.environment(view)));
    }
    if (request instanceof DCloudProtocol.Stop) {
      return changed(canonical.get(), "stop", caller, replyTo -> EnvironmentEntity.Stop.by(replyTo, caller.username(), caller.address()));
    }
    if (request instanceof DCloudProtocol.Delete) {
      return changed(canonical.get(), "delete", caller, replyTo -> new EnvironmentEntity.Delete(replyTo, caller.username(), caller.address()));
    }
    if (request instanceof DCloudProtocol.Watch) {
      return watch.start(canonical.get(), caller);
    }
    throw new IllegalArgumentException("no answer for " + request.getClass().getSimpleName());
  }

  private CompletionStage<Reply> create(DCloudProtocol.Create create, Caller caller) {
    Optional<Problem> lacking = Authentication.lacking(caller, Authentication.CREATORS);
    if (lacking.isPresent()) {
      throw lacking.get().exception();
    }
    ByteString spec = ByteString.fromString(create.spec() == null ? "" : create.spec(), StandardCharsets.UTF_8);
    if (spec.size() > settings.maxBodyBytes()) {
      throw Problem.of(Problem.Type.BODY_TOO_LARGE, "the spec is larger than the " + settings.maxBodyBytes()
          + " bytes this gateway accepts", "spec", "must be at most " + settings.maxBodyBytes() + " bytes").exception();
    }
    // YAML is a superset of JSON: one parser reads both, with the HTTP API's limits and messages.
    var contract = codec.read(BodyFormat.YAML, spec);
    if (contract.isMissingNode()) {
      throw Problem.of(Problem.Type.MALFORMED_REQUEST, "a create needs the environment's config", "spec",
          "is required: send a JSON or YAML document").exception();
    }
    return creation.created(contract, create.idempotencyKey(), ORIGIN, caller)
        .thenApply(view -> new DCloudProtocol.Created(view.id(), ClientReplies.environment(view)));
  }

  private CompletionStage<Reply> changed(
      String id, String action, Caller caller,
      Function<ActorRef<EnvironmentEntity.Reply>, EnvironmentEntity.Command> command) {
    return EnvironmentChanges.ofOwned(asks, id, action, ORIGIN, caller, command)
        .thenApply(view -> new DCloudProtocol.Accepted(ClientReplies.environment(view)));
  }

  /** The environment a request names; null for a create. */
  private static String idOf(Request request) {
    if (request instanceof DCloudProtocol.Get get) {
      return get.environmentId();
    } else if (request instanceof DCloudProtocol.Stop stop) {
      return stop.environmentId();
    } else if (request instanceof DCloudProtocol.Delete delete) {
      return delete.environmentId();
    } else if (request instanceof DCloudProtocol.Watch watching) {
      return watching.environmentId();
    }
    return null;
  }
}
