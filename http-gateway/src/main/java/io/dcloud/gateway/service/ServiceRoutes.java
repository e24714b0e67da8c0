package io.dcloud.gateway.service;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dcloud.device.DeviceRegistry;
import io.dcloud.gateway.common.ApiPaths;
import io.dcloud.gateway.common.AuditLog;
import io.dcloud.gateway.common.CallerAttribute;
import io.dcloud.gateway.common.ClusterAsks;
import io.dcloud.gateway.identity.Quotas;
import io.dcloud.gateway.common.JsonYaml;
import io.dcloud.gateway.common.NamePages;
import io.dcloud.gateway.common.Problem;
import io.dcloud.gateway.common.RequestBodies;
import io.dcloud.gateway.common.ServiceBackends;
import io.dcloud.gateway.environment.EnvironmentCreation;
import io.dcloud.gateway.identity.Authentication;
import io.dcloud.gateway.model.BatchingRequests;
import io.dcloud.gateway.model.ModelLimits;
import io.dcloud.identity.Caller;
import io.dcloud.identity.Role;
import io.dcloud.service.ServiceDefinition;
import io.dcloud.service.ServiceEntity;
import io.dcloud.service.ServiceIndex;
import io.dcloud.service.ServiceView;
import io.dcloud.validation.FieldError;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import java.util.function.Predicate;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCode;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.headers.Location;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.PathMatchers;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * {@code /services}: N replicas of one environment config behind a name (create, list, show,
 * scale, delete). A service is its owner's: others' answer 404 (admins see all). Each replica is an
 * ordinary environment the service's entity keeps alive.
 */
public final class ServiceRoutes extends AllDirectives {
  public static final String SERVICES = "services";
  public static final String BATCHING = "batching";
  public static final String AUTOSCALING = AutoscalingRequests.AUTOSCALING;
  public static final String DEFINITION = "definition";
  public static final String RESTART = "restart";

  private final ActorSystem<?> system;
  private final ServiceBackends backends;
  private final JsonYaml codec;
  private final RequestBodies bodies;
  private final EnvironmentCreation creation;
  private final ServiceRequests requests;
  private final BatchingRequests batchings;
  private final AutoscalingRequests autoscalings;
  private final ServiceDeployments deployments;
  private final ReplicaQuota quota;
  private final AuditLog audit;
  private final Duration timeout;
  private final ClusterAsks asks;

  public ServiceRoutes(
      ClusterAsks asks, ServiceBackends backends, JsonYaml codec, RequestBodies bodies, EnvironmentCreation creation,
      Quotas quotas, AuditLog audit) {
    this.system = asks.system();
    this.backends = backends;
    this.codec = codec;
    this.bodies = bodies;
    this.creation = creation;
    this.audit = audit;
    this.timeout = asks.timeout();
    this.asks = asks;
    this.batchings = new BatchingRequests(ModelLimits.fromConfig(system.settings().config()));
    this.autoscalings = AutoscalingRequests.fromConfig(system.settings().config());
    this.requests = new ServiceRequests(system.settings().config().getInt("dcloud.services.max-replicas"), batchings,
        autoscalings,
        new ServiceMqttEnv(asks.devices().brokerEnabled(), system.settings().config().getInt("dcloud.broker.relay-port"),
            asks.devices().secrets(), creation.secrets()));
    this.quota = new ReplicaQuota(quotas);
    this.deployments = new ServiceDeployments(asks, backends, creation, quota);
  }

  /** Those who create environments create services (admins too); changes are the owner's business, end users read. */
  public Route route() {
    return pathPrefix(SERVICES, () -> CallerAttribute.of(caller -> concat(
        pathEndOrSingleSlash(() -> concat(
            get(() -> parameterOptional("limit", limit -> parameterOptional("continue", token ->
                completeWithFuture(list(caller, NamePages.parse(limit, token)))))),
            post(() -> Authentication.requireAny(caller, Authentication.CREATORS, () ->
                bodies.document(body -> completeWithFuture(create(body, caller))))))),
        path(PathMatchers.segment(), name -> concat(
            get(() -> completeWithFuture(shown(name, caller).thenApply(view -> json(StatusCodes.OK, view)))),
            put(() -> Authentication.requireAny(caller, Authentication.CREATORS, () ->
                bodies.document(body -> completeWithFuture(apply(name, body, caller))))),
            patch(() -> bodies.document(body -> completeWithFuture(scale(name, body, caller)))),
            delete(() -> completeWithFuture(remove(name, caller))))),
        path(PathMatchers.segment().slash(DEFINITION), name ->
            get(() -> completeWithFuture(definitionOf(name, caller)))),
        path(PathMatchers.segment().slash(BATCHING), name ->
            put(() -> bodies.document(body -> completeWithFuture(batching(name, body, caller))))),
        path(PathMatchers.segment().slash(AUTOSCALING), name -> concat(
            put(() -> bodies.document(body -> completeWithFuture(autoscaling(name, autoscalings.parse(body), caller)))),
            delete(() -> completeWithFuture(autoscaling(name, null, caller))))),
        path(PathMatchers.segment().slash(RESTART), name ->
            post(() -> completeWithFuture(restart(name, caller)))))));
  }

  /** Every replica replaced, one at a time (202: the roll goes on; its version is the view's). */
  private CompletionStage<HttpResponse> restart(String name, Caller caller) {
    return deployments.restart(name, caller).thenApply(view -> {
      audit.record(caller, "service.restart", name, "version " + view.version());
      return json(StatusCodes.ACCEPTED, view);
    });
  }

  private CompletionStage<HttpResponse> create(JsonNode body, Caller caller) {
    return definition(body, caller)
        .thenCompose(resolved -> deployments.create(resolved, caller))
        .thenApply(view -> created(view, caller));
  }

  /**
   * A definition applied to the service {@code name}, as {@code kubectl apply} does: the caller's
   * service of that name and kind rolls to it (200; the same definition again changes nothing), or
   * a new one is made (201). The body's name may be left out; one that is not the path's is a 422.
   * Variables sent back as a definition shows them keep their values ({@link ServiceDefinitionJson}).
   */
  private CompletionStage<HttpResponse> apply(String name, JsonNode body, Caller caller) {
    JsonNode named = body;
    if (body.isObject() && !body.has(ServiceRequests.NAME)) {
      named = ((ObjectNode) body).deepCopy().put(ServiceRequests.NAME, name);
    } else if (body.isObject() && !name.equals(body.path(ServiceRequests.NAME).asText())) {
      throw Problem.invalid(List.of(new FieldError(ServiceRequests.NAME,
          "must be the service's name in the path, " + name + ", or left out"))).exception();
    }
    ServiceDefinitionJson.Unseen unseen = ServiceDefinitionJson.Unseen.in(named);
    return deployments.createOrUpdate(requests.parse(named, creation::parse), caller, unseen).thenApply(deployed -> {
      if (deployed.created()) {
        return created(deployed.view(), caller);
      }
      audit.record(caller, "service.update", name, "version " + deployed.view().version());
      return json(StatusCodes.OK, deployed.view());
    });
  }

  /** The definition the service runs, to edit and apply again (owner and admins; anyone else's is a 404). */
  private CompletionStage<HttpResponse> definitionOf(String name, Caller caller) {
    return service(name, ServiceEntity.GetDefinition::new).thenApply(reply -> {
      if (reply instanceof ServiceEntity.Defined defined && caller.mayAccess(defined.owner())) {
        return codec.jsonResponse(StatusCodes.OK, ServiceDefinitionJson.of(defined.definition(), defined.replicas(), codec.mapper()));
      }
      throw Problem.notFound("service " + name).exception();
    });
  }

  /** A new service's answer (audited): 201 and where it is. */
  HttpResponse created(ServiceView view, Caller caller) {
    audit.record(caller, "service.create", view.name(), "ok");
    return json(StatusCodes.CREATED, view).addHeader(Location.create(ApiPaths.ROOT + "/" + SERVICES + "/" + view.name()));
  }

  /**
   * What a {@code POST /services} body asks for, checked as it would be created by the caller: its
   * environment parsed, its image resolved from the catalog, and placeable.
   */
  CompletionStage<ServiceDeployments.Resolved> definition(JsonNode body, Caller caller) {
    return deployments.resolved(requests.parse(body, creation::parse), caller);
  }

  /**
   * Asks the entities of the caller's services only (an admin's and an end user's: every service's),
   * a page of them at a time when a limit is given: the index knows each service's owner.
   */
  private CompletionStage<HttpResponse> list(Caller caller, NamePages pages) {
    String owner = caller.isAdmin() || caller.roles().contains(Role.END_USER) ? null : caller.username();
    return AskPattern.<ServiceIndex.Command, ServiceIndex.Names>ask(
            backends.index(), replyTo -> new ServiceIndex.ListNames(owner, replyTo), timeout, system.scheduler())
        .thenCompose(names -> {
          NamePages.Page page = pages.of(names.names());
          List<CompletableFuture<ServiceEntity.Reply>> replies = page.names().stream()
              .map(name -> service(name, ServiceEntity.Get::new).toCompletableFuture()).toList();
          return CompletableFuture.allOf(replies.toArray(CompletableFuture[]::new)).thenApply(all -> new ServiceJson.Listing(
              replies.stream()
                  .map(CompletableFuture::join)
                  .filter(ServiceEntity.Ok.class::isInstance)
                  .map(reply -> ((ServiceEntity.Ok) reply).view())
                  // Deleted ones linger in the index until their entity unregisters them.
                  .filter(view -> !view.deleting() && readable(view, caller))
                  .sorted(Comparator.comparing(ServiceView::name))
                  .map(ServiceJson::of).toList(),
              page.next()));
        })
        .thenApply(listing -> codec.jsonResponse(StatusCodes.OK, listing));
  }

  private CompletionStage<HttpResponse> scale(String name, JsonNode body, Caller caller) {
    int replicas = requests.scale(body);
    return owned(name, caller)
        // One that scales itself refuses (409): its room in the quota stays that of its most.
        .thenCompose(view -> view.replicaResources() == null || view.autoscaling() != null
            ? CompletableFuture.<Void>completedFuture(null)
            : quota.check(Quotas.owner(view.owner(), caller), name, view.replicaResources(), replicas, view))
        .thenCompose(fits -> service(name, replyTo -> new ServiceEntity.Scale(replicas, caller.username(), replyTo)))
        .thenApply(reply -> {
          ServiceView view = viewOf(name, reply);
          audit.record(caller, "service.scale", name + " to " + replicas, "ok");
          return json(StatusCodes.OK, view);
        });
  }

  /** A model's batching, live: the gateways use it from their next look at the service. */
  private CompletionStage<HttpResponse> batching(String name, JsonNode body, Caller caller) {
    ServiceDefinition.Batching batching = batchings.parse(body);
    return owned(name, caller)
        .thenCompose(view -> service(name, replyTo -> new ServiceEntity.SetBatching(batching, caller.username(), replyTo)))
        .thenApply(reply -> {
          ServiceView view = viewOf(name, reply);
          audit.record(caller, "service.batching", name + (batching == null ? " off"
              : " max-size " + batching.maxSize() + ", max-wait-ms " + batching.maxWaitMs()), "ok");
          return json(StatusCodes.OK, view);
        });
  }

  /**
   * The bounds within which the service scales itself (null: off, its replica count stays), live: no
   * new version. Its owner's quota must have room for its most (for its count, when off).
   */
  private CompletionStage<HttpResponse> autoscaling(String name, ServiceDefinition.Autoscaling autoscaling, Caller caller) {
    return owned(name, caller)
        .thenCompose(view -> view.replicaResources() == null
            ? CompletableFuture.<Void>completedFuture(null)
            : quota.check(Quotas.owner(view.owner(), caller), name, view.replicaResources(),
                autoscaling == null ? view.desiredReplicas() : autoscaling.maxReplicas(), view))
        .thenCompose(fits -> service(name, replyTo -> new ServiceEntity.SetAutoscaling(autoscaling, caller.username(), replyTo)))
        .thenApply(reply -> {
          ServiceView view = viewOf(name, reply);
          audit.record(caller, "service.autoscaling", name + (autoscaling == null ? " off" : " " + autoscaling.minReplicas()
              + " to " + autoscaling.maxReplicas() + " replicas"), "ok");
          return json(StatusCodes.OK, view);
        });
  }

  private CompletionStage<HttpResponse> remove(String name, Caller caller) {
    return owned(name, caller)
        .thenCompose(view -> service(name, replyTo -> new ServiceEntity.Delete(caller.username(), replyTo)))
        .thenCompose(reply -> {
          ServiceView view = viewOf(name, reply);
          audit.record(caller, "service.delete", name, "ok");
          asks.releaseServiceHold(name);
          // Its bindings go with it: their devices' readings and controllers are no longer its app's.
          return asks.<Done>deviceRegistry(replyTo -> new DeviceRegistry.DeleteServiceBindings(name, replyTo))
              .thenApply(done -> json(StatusCodes.ACCEPTED, view));
        });
  }

  /** The service, when the caller may change it (its owner, admins); else the 404 a missing one gets (so names of others' do not leak). */
  private CompletionStage<ServiceView> owned(String name, Caller caller) {
    return found(name, view -> caller.mayAccess(view.owner()));
  }

  /** The service, when the caller may read it ({@link #readable}); else a 404. */
  private CompletionStage<ServiceView> shown(String name, Caller caller) {
    return found(name, view -> readable(view, caller));
  }

  /**
   * Owners and admins read a service, and so do end users, who call every service and bind their
   * devices to apps: they find them in the list (seed 003's end user picks an application).
   */
  static boolean readable(ServiceView view, Caller caller) {
    return caller.mayAccess(view.owner()) || caller.roles().contains(Role.END_USER);
  }

  private CompletionStage<ServiceView> found(String name, Predicate<ServiceView> allowed) {
    if (!ServiceRequests.isValidName(name)) {
      return CompletableFuture.failedFuture(Problem.notFound("service " + name).exception());
    }
    return service(name, ServiceEntity.Get::new).thenApply(reply -> {
      ServiceView view = viewOf(name, reply);
      if (view.deleting() || !allowed.test(view)) {
        throw Problem.notFound("service " + name).exception();
      }
      return view;
    });
  }

  static ServiceView viewOf(String name, ServiceEntity.Reply reply) {
    return ServiceDeployments.viewOf(name, reply);
  }

  CompletionStage<ServiceEntity.Reply> service(
      String name, Function<ActorRef<ServiceEntity.Reply>, ServiceEntity.Command> command) {
    return deployments.ask(name, command);
  }

  /** How services are made or updated, for the uploads that deploy (apps). */
  public ServiceDeployments deployments() {
    return deployments;
  }

  public ServiceRequests requests() {
    return requests;
  }

  HttpResponse json(StatusCode status, ServiceView view) {
    return codec.jsonResponse(status, ServiceJson.of(view));
  }
}
