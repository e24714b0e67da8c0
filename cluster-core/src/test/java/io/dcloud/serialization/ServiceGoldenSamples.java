package io.dcloud.serialization;

import io.dcloud.environment.EnvironmentEntity;
import io.dcloud.environment.EnvironmentStatus;
import io.dcloud.environment.EnvironmentView;
import io.dcloud.node.NodeProtocol;
import io.dcloud.service.ServiceDefinition;
import io.dcloud.service.ServiceEntity;
import io.dcloud.service.ServiceIndex;
import io.dcloud.service.ServiceState;
import io.dcloud.service.ServiceView;
import io.dcloud.spec.EnvironmentSpec;
import io.dcloud.spec.PublishedPort;
import io.dcloud.spec.ServiceBinding;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.pekko.actor.typed.ActorSystem;

/** The service entity's and index's events and messages, and the environments' that replicas add, for {@link GoldenSamples}. */
final class ServiceGoldenSamples {
  private ServiceGoldenSamples() {}

  static void add(Map<String, Object> s, ActorSystem<?> system, Instant at) {
    ServiceDefinition definition = new ServiceDefinition("web", ServiceDefinition.Kind.APP, GoldenSamples.SPEC,
        GoldenSamples.RECIPE, 8080, new ServiceDefinition.Readiness("/ready"), 2, null);
    String replica = "5f0e3d1c-1111-3222-8333-444455556666";
    s.put("service-event.Created", new ServiceEntity.Created(definition, "alice", "0b6f7a52-aaaa-4bbb-8ccc-ddddeeeeffff", at));
    s.put("service-event.Created.without-surge", new ServiceEntity.Created(new ServiceDefinition("gpu-model",
        ServiceDefinition.Kind.MODEL, GoldenSamples.SPEC, GoldenSamples.RECIPE, 8080,
        new ServiceDefinition.Readiness("/ready"), 1, null, List.of(), 0), "alice", "0b6f7a52-aaaa-4bbb-8ccc-ddddeeeeffff",
        at));
    s.put("service-event.Created.spread-required", new ServiceEntity.Created(new ServiceDefinition("ha",
        ServiceDefinition.Kind.APP, GoldenSamples.SPEC, GoldenSamples.RECIPE, 8000,
        new ServiceDefinition.Readiness("/ready"), 3, null, List.of(), 1, ServiceDefinition.Spread.REQUIRED), "alice",
        "0b6f7a52-aaaa-4bbb-8ccc-ddddeeeeffff", at));
    ServiceDefinition.Autoscaling autoscaling =
        new ServiceDefinition.Autoscaling(1, 4, 2.5, Duration.ofSeconds(30), Duration.ofMinutes(10));
    s.put("service-event.Created.autoscaling", new ServiceEntity.Created(definition.withAutoscaling(autoscaling), "alice",
        "0b6f7a52-aaaa-4bbb-8ccc-ddddeeeeffff", at));
    s.put("service-event.AutoscalingChanged", new ServiceEntity.AutoscalingChanged(autoscaling, "alice", at));
    s.put("service-event.AutoscalingChanged.off", new ServiceEntity.AutoscalingChanged(null, "alice", at));
    s.put("service-event.Scaled", new ServiceEntity.Scaled(3, "alice", at));
    s.put("service-event.ReplicaAdded", new ServiceEntity.ReplicaAdded(replica, 0, at));
    s.put("service-event.ReplicaRetiring", new ServiceEntity.ReplicaRetiring(replica, "replica FAILED", at));
    s.put("service-event.ReplicaGone", new ServiceEntity.ReplicaGone(replica, at));
    s.put("service-event.Updated", new ServiceEntity.Updated(
        definition.withBatching(new ServiceDefinition.Batching(8, 5)), 2, "alice", at));
    s.put("service-event.BatchingChanged", new ServiceEntity.BatchingChanged(new ServiceDefinition.Batching(16, 10), "alice", at));
    s.put("service-event.BatchingChanged.off", new ServiceEntity.BatchingChanged(null, "alice", at));
    s.put("service-event.SurgeChanged", new ServiceEntity.SurgeChanged(0, "alice", at));
    s.put("service-event.DeleteRequested", new ServiceEntity.DeleteRequested("alice", at));
    s.put("service-event.Deleted", new ServiceEntity.Deleted(at));
    s.put("service-index-event.Registered", new ServiceIndex.Registered("web"));
    s.put("service-index-event.Unregistered", new ServiceIndex.Unregistered("web"));
    s.put("service-index-event.Registered.with-owner", new ServiceIndex.Registered("web", "alice"));
    s.put("service-index-snapshot.State", new ServiceIndex.State(List.of("web")));
    s.put("service-index-snapshot.State.with-owners", new ServiceIndex.State(List.of("api", "web"), Map.of("web", "alice")));
    s.put("wire.service-index.Register", new ServiceIndex.Register("web", null));
    s.put("wire.service-index.Register.with-owner", new ServiceIndex.Register("web", "alice"));
    s.put("wire.service-index.Unregister", new ServiceIndex.Unregister("web"));
    s.put("wire.service-index.WakeAll", new ServiceIndex.WakeAll());
    s.put("wire.service-index.ListNames", new ServiceIndex.ListNames(system.deadLetters()));
    s.put("wire.service-index.ListNames.of-an-owner", new ServiceIndex.ListNames("alice", system.deadLetters()));
    s.put("wire.service-index.Names", new ServiceIndex.Names(List.of("web")));
    s.put("wire.service.Create", new ServiceEntity.Create(definition, "alice", system.deadLetters()));
    s.put("wire.service.Get", new ServiceEntity.Get(system.deadLetters()));
    s.put("wire.service.Scale", new ServiceEntity.Scale(3, "alice", system.deadLetters()));
    s.put("wire.service.Delete", new ServiceEntity.Delete("alice", system.deadLetters()));
    s.put("wire.service.Update", new ServiceEntity.Update(
        definition.withBatching(new ServiceDefinition.Batching(8, 5)), "alice", system.deadLetters()));
    s.put("wire.service.Update.no-room-for-surge", new ServiceEntity.Update(definition, "alice", system.deadLetters(),
        true));
    s.put("wire.service.Update.restart", new ServiceEntity.Update(definition, "alice", system.deadLetters(), null, true));
    s.put("wire.service.SurgeRefused", new ServiceEntity.SurgeRefused(2));
    s.put("wire.service.GetDefinition", new ServiceEntity.GetDefinition(system.deadLetters()));
    s.put("wire.service.Defined", new ServiceEntity.Defined(definition, "alice", 3, 4));
    s.put("wire.service.SetBatching", new ServiceEntity.SetBatching(new ServiceDefinition.Batching(16, 10), "alice",
        system.deadLetters()));
    s.put("wire.service.Reconcile", new ServiceEntity.Reconcile(42L));
    s.put("wire.service.ReplicaAnswer", new ServiceEntity.ReplicaAnswer(new EnvironmentEntity.NotFound(replica)));
    // What a replica's environment tells its service, from its node, as its status or readiness changes.
    s.put("wire.service.ReplicaAnswer.ok", new ServiceEntity.ReplicaAnswer(new EnvironmentEntity.Ok(new EnvironmentView(
        replica, "web-0", EnvironmentStatus.RUNNING, "n1", "c1", GoldenSamples.SPEC, GoldenSamples.RECIPE, List.of(),
        GoldenSamples.PORTS, List.of(), null, null, at, at,
        List.of(new EnvironmentView.HistoryEntry(at, EnvironmentStatus.RUNNING, "running")), "alice", List.of(), null,
        true, null, null))));
    ServiceView view = new ServiceView("web", ServiceDefinition.Kind.MODEL, "alice", 1, 2, 8080,
        new ServiceDefinition.Readiness("/ready"), List.of(new ServiceView.Replica(replica, "n1", "RUNNING", true, null),
            new ServiceView.Replica("7a", null, null, null, null)), false, null);
    s.put("wire.service.Ok", new ServiceEntity.Ok(view));
    s.put("wire.service.Ok.with-published", new ServiceEntity.Ok(new ServiceView("web", ServiceDefinition.Kind.MODEL,
        "alice", 1, 1, 8080, new ServiceDefinition.Readiness("/ready"), List.of(new ServiceView.Replica(replica, "n1",
            "RUNNING", true, 1, new PublishedPort(8080, "tcp", "127.0.0.1", 32768), null)), false, null)));
    s.put("wire.service.Ok.with-reason", new ServiceEntity.Ok(new ServiceView("web", ServiceDefinition.Kind.MODEL,
        "alice", 1, 1, 8080, new ServiceDefinition.Readiness("/ready"), List.of(new ServiceView.Replica(replica, null,
            "QUEUED", false, 1, null, "no node has room now: not enough free cpu (asks for 0.25 cores) on n1")), false,
        null)));
    s.put("wire.service.Ok.with-replica-resources", new ServiceEntity.Ok(new ServiceView("web", ServiceDefinition.Kind.MODEL,
        "alice", 1, 2, 8080, new ServiceDefinition.Readiness("/ready"), List.of(), false, null, List.of(),
        GoldenSamples.RESOURCES)));
    s.put("wire.service.Ok.with-surge", new ServiceEntity.Ok(new ServiceView("web", ServiceDefinition.Kind.APP,
        "alice", 2, 2, 8080, new ServiceDefinition.Readiness("/ready"), List.of(), false, null, List.of(),
        GoldenSamples.RESOURCES, 0, null)));
    s.put("wire.service.Ok.with-environments", new ServiceEntity.Ok(new ServiceView("web", ServiceDefinition.Kind.APP,
        "alice", 2, 2, 8080, new ServiceDefinition.Readiness("/ready"), List.of(), false, null, List.of(),
        GoldenSamples.RESOURCES, 1, 3)));
    s.put("wire.service.Ok.spread-required", new ServiceEntity.Ok(new ServiceView("ha", ServiceDefinition.Kind.APP,
        "alice", 1, 3, 8000, new ServiceDefinition.Readiness("/ready"), List.of(), false, null, List.of(),
        GoldenSamples.RESOURCES, 1, 3, ServiceDefinition.Spread.REQUIRED)));
    s.put("wire.service.Ok.autoscaling", new ServiceEntity.Ok(new ServiceView("web", ServiceDefinition.Kind.APP,
        "alice", 1, 3, 8000, new ServiceDefinition.Readiness("/ready"), List.of(), false, null, List.of(),
        GoldenSamples.RESOURCES, 1, 3, null, autoscaling, new ServiceView.Load(6.2, 3, null))));
    s.put("wire.service.Ok.autoscaling-pending", new ServiceEntity.Ok(new ServiceView("web", ServiceDefinition.Kind.APP,
        "alice", 1, 3, 8000, new ServiceDefinition.Readiness("/ready"), List.of(), false, null, List.of(),
        GoldenSamples.RESOURCES, 1, 3, null, autoscaling, new ServiceView.Load(9.5, 4, at.plusSeconds(30)))));
    s.put("wire.service.SetAutoscaling", new ServiceEntity.SetAutoscaling(autoscaling, "alice", system.deadLetters()));
    s.put("wire.service.SetAutoscaling.off", new ServiceEntity.SetAutoscaling(null, "alice", system.deadLetters()));
    s.put("wire.service.ReportLoad", new ServiceEntity.ReportLoad(3.25, Duration.ofSeconds(2)));
    s.put("wire.service.NotFound", new ServiceEntity.NotFound("web"));
    s.put("wire.service.Conflict", new ServiceEntity.Conflict("a service named web already exists"));
    EnvironmentSpec replicaSpec = new EnvironmentSpec("web-0", "1", "debian", null, List.of(), GoldenSamples.RESOURCES,
        List.of(), List.of(new EnvironmentSpec.PortSpec(null, 8080, "tcp")), List.of(), List.of("httpd", "-f"), Map.of(),
        Map.of(), EnvironmentSpec.RestartPolicy.ON_FAILURE, Map.of(), null, new ServiceBinding("web", 8080, "/ready"));
    s.put("environment-event.Requested.service-replica", new EnvironmentEntity.Requested(replicaSpec, GoldenSamples.RECIPE, at, "alice"));
    s.put("environment-event.Requested.service-replica-spread-required", new EnvironmentEntity.Requested(
        new EnvironmentSpec("ha-0", "1", "debian", null, List.of(), GoldenSamples.RESOURCES, List.of(),
            List.of(new EnvironmentSpec.PortSpec(null, 8000, "tcp")), List.of(), List.of("httpd", "-f"), Map.of(), Map.of(),
            EnvironmentSpec.RestartPolicy.ON_FAILURE, Map.of(), null, new ServiceBinding("ha", 8000, "/ready", true)),
        GoldenSamples.RECIPE, at, "alice"));
    s.put("environment-event.ReadinessChanged", new EnvironmentEntity.ReadinessChanged(true, at));
    s.put("environment-event.ReadinessChanged.not-ready-why", new EnvironmentEntity.ReadinessChanged(false, at,
        "not ready: GET /ready answered 503"));
    s.put("wire.environment.ContainerReport.ready", new EnvironmentEntity.FromNode(new NodeProtocol.ContainerReport(
        "n1", NodeProtocol.ContainerPhase.RUNNING, "c1", GoldenSamples.PORTS, null, false, "ready", null, true)));
    s.put("wire.service.State", new ServiceState(definition, "alice", "0b6f7a52", 1, 2,
        List.of(new ServiceState.Replica(replica, 0, false, null)), 1, false));
    s.put("wire.service.State.rolling", new ServiceState(definition, "alice", "0b6f7a52", 2, 2,
        List.of(new ServiceState.Replica(replica, 0, true, 1), new ServiceState.Replica("7a", 1, false, 2)), 2, false));
  }
}
