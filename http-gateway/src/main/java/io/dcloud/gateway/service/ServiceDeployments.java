package io.dcloud.gateway.service;

import io.dcloud.ask.Asks;
import io.dcloud.device.DeviceRegistry;
import io.dcloud.device.RegistryView;
import io.dcloud.gateway.common.ClusterAsks;
import io.dcloud.gateway.common.Problem;
import io.dcloud.gateway.common.ProblemException;
import io.dcloud.gateway.common.ProblemExceptions;
import io.dcloud.gateway.common.ServiceBackends;
import io.dcloud.gateway.device.DeviceRegistryAsks;
import io.dcloud.gateway.environment.EnvironmentCreation;
import io.dcloud.gateway.identity.Quotas;
import io.dcloud.identity.Caller;
import io.dcloud.resources.Resources;
import io.dcloud.service.ServiceDefinition;
import io.dcloud.service.ServiceEntity;
import io.dcloud.service.ServiceView;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;

/**
 * Makes a parsed service real for a caller: its image resolved (datasets readable, catalog),
 * room checked, then created, or, when the caller's service of that name and kind exists, updated
 * to a new version ({@link ServiceEntity.Update}). What {@code POST /services} and the uploads that
 * deploy (apps) share.
 */
public final class ServiceDeployments {
  /** The service's view after the change, and whether it was made ({@code 201}) or updated ({@code 200}). */
  public record Deployed(ServiceView view, boolean created) {}

  /**
   * A definition ready for its entity: its image resolved and its replicas in the quota.
   * {@code surgeRefusal}: the 403 an update that rolls with a surge gets, the quota having room for
   * its replicas but not for the one more a roll adds (null: room, or a new service); only the
   * entity knows whether the update rolls at all.
   */
  record Resolved(ServiceDefinition definition, ProblemException surgeRefusal) {}

  private final ActorSystem<?> system;
  private final ClusterAsks asks;
  private final ServiceBackends backends;
  private final EnvironmentCreation creation;
  private final ReplicaQuota quota;
  private final Duration timeout;
  private final DeviceRegistryAsks registry;

  ServiceDeployments(ClusterAsks asks, ServiceBackends backends, EnvironmentCreation creation, ReplicaQuota quota) {
    this.system = asks.system();
    this.asks = asks;
    this.backends = backends;
    this.creation = creation;
    this.quota = quota;
    this.timeout = asks.timeout();
    this.registry = new DeviceRegistryAsks(asks);
  }

  /** A new service; a name in use is a 409. */
  CompletionStage<ServiceView> create(ServiceDefinition parsed, Caller caller) {
    return resolved(parsed, caller).thenCompose(resolved -> create(resolved, caller));
  }

  /** A new service of a resolved definition; a name in use is a 409. */
  CompletionStage<ServiceView> create(Resolved resolved, Caller caller) {
    String name = resolved.definition().name();
    return declared(resolved.definition())
        .thenCompose(done -> ask(name, replyTo -> new ServiceEntity.Create(resolved.definition(), caller.username(), replyTo)))
        .thenApply(reply -> viewOf(name, reply));
  }

  /**
   * An app that consumes devices gets its broker account before its replicas start (the registry
   * keeps it until the service is deleted), so it connects at once, bound or not.
   */
  private CompletionStage<Done> declared(ServiceDefinition definition) {
    return definition.bindings().isEmpty()
        ? CompletableFuture.completedFuture(Done.getInstance())
        : asks.<Done>deviceRegistry(replyTo -> new DeviceRegistry.DeclareService(definition.name(), replyTo));
  }

  /**
   * A new version of the caller's service (rolled as {@code Reconciliation} decides), a live change
   * when only its replica count or surge differ, or nothing; the quota's 403 when it would roll with
   * a surge there is no room for; a 409 while a binding binds devices of a type the version no longer
   * consumes. Once the version is in place, a binding made meanwhile against the old version's types
   * goes ({@link DeviceRegistry.ServiceVersionInPlace}); a version that consumes no devices takes the
   * service's broker account away.
   */
  CompletionStage<ServiceView> update(Resolved resolved, Caller caller) {
    return update(resolved, caller, false);
  }

  /**
   * Every replica of the caller's service replaced by a new one, one at a time as a new version rolls
   * (as {@code kubectl rollout restart}): the definition it runs, at the scale it has now, checked as
   * an update is (the quota's room for the surge, the image from the catalog as it is now).
   */
  CompletionStage<ServiceView> restart(String name, Caller caller) {
    return ask(name, ServiceEntity.GetDefinition::new).thenCompose(reply -> {
      if (!(reply instanceof ServiceEntity.Defined defined) || !caller.mayAccess(defined.owner())) {
        throw Problem.notFound("service " + name).exception();
      }
      return resolved(defined.definition().withReplicas(defined.replicas()), caller)
          .thenCompose(resolved -> update(resolved, caller, true));
    });
  }

  private CompletionStage<ServiceView> update(Resolved resolved, Caller caller, boolean restart) {
    ServiceDefinition definition = resolved.definition();
    String name = definition.name();
    Boolean noRoomForSurge = resolved.surgeRefusal() == null ? null : Boolean.TRUE;
    return registry.<DeviceRegistry.ConsumptionChecked>change(
            replyTo -> new DeviceRegistry.ServiceConsumes(name, definition.bindings(), replyTo))
        .thenCompose(checked -> ask(name, replyTo -> new ServiceEntity.Update(definition, caller.username(), replyTo,
            noRoomForSurge, restart)))
        .thenApply(reply -> {
          if (reply instanceof ServiceEntity.SurgeRefused) {
            throw resolved.surgeRefusal();
          }
          return viewOf(name, reply);
        })
        .thenCompose(view -> asks.<Done>deviceRegistry(
            replyTo -> new DeviceRegistry.ServiceVersionInPlace(name, definition.bindings(), replyTo)).thenApply(done -> view));
  }

  /** Creates the service, or updates the caller's own of that name and kind; another's, or another kind, is a 409. */
  public CompletionStage<Deployed> createOrUpdate(ServiceDefinition parsed, Caller caller) {
    return createOrUpdate(parsed, caller, ServiceDefinitionJson.Unseen.NONE);
  }

  /**
   * As {@link #createOrUpdate(ServiceDefinition, Caller)}, the {@code unseen} variables (sent back as a
   * definition shows them) keeping the values the service has.
   */
  CompletionStage<Deployed> createOrUpdate(ServiceDefinition parsed, Caller caller, ServiceDefinitionJson.Unseen unseen) {
    return createOrUpdate(parsed, caller, unseen, false, false);
  }

  /**
   * As {@link #createOrUpdate(ServiceDefinition, Caller)}, for a pushed version (an app's), whose
   * config says nothing of autoscaling: an existing service keeps its autoscaling, and its replica
   * count too when {@code keepScale} (the config does not say one).
   */
  public CompletionStage<Deployed> createOrUpdate(ServiceDefinition parsed, Caller caller, boolean keepScale) {
    return createOrUpdate(parsed, caller, ServiceDefinitionJson.Unseen.NONE, keepScale, true);
  }

  private CompletionStage<Deployed> createOrUpdate(ServiceDefinition parsed, Caller caller,
      ServiceDefinitionJson.Unseen unseen, boolean keepScale, boolean pushed) {
    return existing(parsed.name(), parsed.kind(), caller).thenCompose(present -> {
      if (present == null) {
        ServiceDefinition made = unseen.none() ? parsed : ServiceDefinitionJson.keepingValues(parsed, unseen, null);
        return create(made, caller).thenApply(view -> new Deployed(view, true));
      }
      ServiceDefinition sized = keepScale ? parsed.withReplicas(present.desiredReplicas()) : parsed;
      ServiceDefinition scaled = pushed ? sized.withAutoscaling(present.autoscaling()) : sized;
      CompletionStage<ServiceDefinition> kept = unseen.none()
          ? CompletableFuture.completedFuture(scaled)
          : ask(parsed.name(), ServiceEntity.GetDefinition::new).thenApply(reply -> ServiceDefinitionJson.keepingValues(
              scaled, unseen, reply instanceof ServiceEntity.Defined defined ? defined.definition() : null));
      return kept
          .thenCompose(definition -> resolved(definition, caller))
          .thenCompose(resolved -> update(resolved, caller))
          .thenApply(view -> new Deployed(view, false));
    });
  }

  /**
   * Whether the caller's service {@code name} of {@code kind} exists (false: the name is free); a
   * 409 when it is someone else's or of another kind. Asked before anything is stored for it.
   */
  public CompletionStage<Boolean> deployable(String name, ServiceDefinition.Kind kind, Caller caller) {
    return existing(name, kind, caller).thenApply(Objects::nonNull);
  }

  /** As {@link #deployable}: the caller's service {@code name} of {@code kind}, or null when the name is free. */
  private CompletionStage<ServiceView> existing(String name, ServiceDefinition.Kind kind, Caller caller) {
    return ask(name, ServiceEntity.Get::new).thenApply(reply -> {
      if (!(reply instanceof ServiceEntity.Ok ok) || ok.view().deleting()) {
        return null;
      }
      ServiceView view = ok.view();
      if (!caller.mayAccess(view.owner())) {
        throw Problem.conflict("the service name " + name + " is taken: choose another name").exception();
      }
      if (view.kind() != kind) {
        throw Problem.conflict("service " + name + " is a " + view.kind().name().toLowerCase(Locale.ROOT)
            + " service, not a " + kind.name().toLowerCase(Locale.ROOT) + ": choose another name").exception();
      }
      return view;
    });
  }

  /** The definition with its image resolved, once the cluster has room for one replica. */
  CompletionStage<Resolved> resolved(ServiceDefinition parsed, Caller caller) {
    return boundTypesExist(parsed)
        .thenCompose(known -> fitsTheQuota(parsed, caller))
        .thenCompose(surgeRefusal -> creation.recipe(parsed.spec(), caller)
            .thenCompose(recipe -> asks.feasibility(EnvironmentCreation.placementRequest(parsed.spec()))
                .thenApply(feasibility -> {
                  EnvironmentCreation.requirePlaceable(feasibility, "environment.resources");
                  return new Resolved(parsed.withRecipe(recipe), surgeRefusal);
                })));
  }

  /**
   * Its replicas fit their owner's quota ({@link ReplicaQuota}): a new service's all of them; an
   * update of the caller's (or, for an admin, anyone's) service, what it adds to the present ones,
   * with the one more a roll adds when its surge is one. Completes with the refusal of the surge
   * alone (null: room for it), which the entity answers only if the update rolls. A name another
   * user holds is left to the create's 409.
   */
  private CompletionStage<ProblemException> fitsTheQuota(ServiceDefinition parsed, Caller caller) {
    return ask(parsed.name(), ServiceEntity.Get::new).thenCompose(reply -> {
      ServiceView present = reply instanceof ServiceEntity.Ok ok && !ok.view().deleting() ? ok.view() : null;
      if (present != null && !caller.mayAccess(present.owner())) {
        return CompletableFuture.completedFuture(null);
      }
      Caller owner = Quotas.owner(present == null ? null : present.owner(), caller);
      Resources each = parsed.spec().resources();
      int reserved = ReplicaQuota.reserved(parsed);
      CompletionStage<Void> replicas = quota.check(owner, parsed.name(), each, reserved, present);
      if (present == null || parsed.rollingSurge() == 0) {
        return replicas.thenApply(fits -> null);
      }
      return replicas
          .thenCompose(fits -> quota.checkWithSurge(owner, parsed.name(), each, reserved, present))
          .handle((fits, failure) -> {
            if (failure == null) {
              return null;
            }
            Throwable cause = ProblemExceptions.unwrap(failure);
            if (cause instanceof ProblemException refused
                && Problem.Type.QUOTA_EXCEEDED.uri().equals(refused.problem().type())) {
              return refused;
            }
            throw failure instanceof CompletionException c ? c : new CompletionException(failure);
          });
    });
  }

  /** The device types an app consumes must be registered when it is deployed (422 {@code bindings[i].type}). */
  private CompletionStage<Void> boundTypesExist(ServiceDefinition parsed) {
    if (parsed.bindings().isEmpty()) {
      return CompletableFuture.completedFuture(null);
    }
    return asks.<RegistryView>deviceRegistry(DeviceRegistry.GetView::new)
        .thenAccept(view -> BindingSlots.checkTypes(parsed.bindings(), view));
  }

  static ServiceView viewOf(String name, ServiceEntity.Reply reply) {
    if (reply instanceof ServiceEntity.Ok ok) {
      return ok.view();
    } else if (reply instanceof ServiceEntity.Conflict conflict) {
      throw Problem.conflict(conflict.reason()).exception();
    }
    throw Problem.notFound("service " + name).exception();
  }

  CompletionStage<ServiceEntity.Reply> ask(
      String name, Function<ActorRef<ServiceEntity.Reply>, ServiceEntity.Command> command) {
    return Asks.completedOn(backends.services().apply(name).ask(command::apply, timeout), system.executionContext());
  }
}
