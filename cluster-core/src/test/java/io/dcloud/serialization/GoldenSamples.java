package io.dcloud.serialization;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dcloud.catalog.Catalog;
import io.dcloud.catalog.CatalogRegistry;
import io.dcloud.contracts.ImageRecipe;
import io.dcloud.environment.EnvironmentEntity;
import io.dcloud.environment.EnvironmentStatus;
import io.dcloud.environment.EnvironmentUpdate;
import io.dcloud.environment.EnvironmentView;
import io.dcloud.environment.OwnerUsage;
import io.dcloud.node.FilesProtocol;
import io.dcloud.node.NodeProtocol;
import io.dcloud.node.NodeStatus;
import io.dcloud.node.ProxyWire;
import io.dcloud.node.ShellProtocol;
import io.dcloud.resources.GpuDevice;
import io.dcloud.resources.Resources;
import io.dcloud.scheduler.NodeAvailability;
import io.dcloud.scheduler.NodeView;
import io.dcloud.scheduler.PlacementAnswer;
import io.dcloud.scheduler.PlacementPreview;
import io.dcloud.scheduler.PlacementRequest;
import io.dcloud.scheduler.Scheduler;
import io.dcloud.scheduler.SchedulerSnapshot;
import io.dcloud.spec.EnvironmentSpec;
import io.dcloud.spec.PublishedPort;
import io.dcloud.template.Template;
import io.dcloud.template.TemplateRegistry;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.pekko.actor.typed.ActorSystem;

/**
 * One value of every persisted and wire type, by a name that never changes (the golden file's
 * name). When a class moves or is renamed, its sample is built with the new class under the old
 * name; the golden file keeps the bytes and manifest the old class wrote.
 */
public final class GoldenSamples {
  private GoldenSamples() {}

  /** The sealed interfaces whose every subtype is in a journal, so each needs a sample. */
  static final List<Class<?>> PERSISTED_INTERFACES = List.of(
      EnvironmentEntity.Event.class, Scheduler.Event.class, CatalogRegistry.Event.class, TemplateRegistry.Event.class,
      io.dcloud.dataset.DatasetEntity.Event.class, io.dcloud.dataset.DatasetIndex.Event.class,
      io.dcloud.service.ServiceEntity.Event.class, io.dcloud.service.ServiceIndex.Event.class,
      io.dcloud.job.JobEntity.Event.class, io.dcloud.job.JobIndex.Event.class,
      io.dcloud.device.DeviceRegistry.Event.class, io.dcloud.device.DeviceCommands.Event.class,
      io.dcloud.usage.UsageArchive.Event.class);

  static final Instant AT = Instant.parse("2026-11-23T10:00:00Z");
  static final Resources RESOURCES = new Resources(500, 1L << 30, 1, 1L << 32, "A100");
  /** Written before the spec recorded an OS release: it reads back without one. */
  static final EnvironmentSpec SPEC = new EnvironmentSpec(
      "demo", "1", "debian", null, List.of(new EnvironmentSpec.LanguageSpec("python", List.of("numpy"))),
      RESOURCES, List.of(new EnvironmentSpec.DatasetRef("c", "d", "s", "1")),
      List.of(new EnvironmentSpec.PortSpec(null, 8888, "tcp"), new EnvironmentSpec.PortSpec(8080, 80, "udp")),
      List.of(new EnvironmentSpec.VolumeSpec("/work", 1L << 30, EnvironmentSpec.Lifecycle.PERSISTENT)),
      List.of("sleep", "infinity"), Map.of("A", "b"), Map.of("zone", "z1"), EnvironmentSpec.RestartPolicy.ON_FAILURE);
  /** With secret-env: its values are ciphertext (opaque here: the wire only carries them). */
  static final EnvironmentSpec SPEC_WITH_SECRETS = new EnvironmentSpec(
      SPEC.name(), SPEC.version(), SPEC.os(), null, SPEC.languages(), SPEC.resources(), SPEC.datasets(), SPEC.ports(),
      SPEC.storage(), SPEC.command(), SPEC.env(), SPEC.constraints(), SPEC.restartPolicy(),
      Map.of("API_TOKEN", "v1:AAECAwQFBgcICQoLsealed+tag/bytes=="));
  static final ImageRecipe RECIPE = new ImageRecipe("dcloud/debian-python:abc", "debian:12", "FROM debian:12\n");
  static final List<PublishedPort> PORTS = List.of(new PublishedPort(8888, "tcp", "127.0.0.1", 32768));
  static final PlacementRequest REQUEST = new PlacementRequest("e1", RESOURCES, Map.of("zone", "z1"), "n1");

  /**
   * {@code system}: its dead letters are the reply-to of the commands that carry one. Also the one
   * sample of every event that tests of a fold go through (see {@code HistoryStepsTest}).
   */
  public static Map<String, Object> all(ActorSystem<?> system) {
    Map<String, Object> samples = new LinkedHashMap<>();
    environmentEvents(samples);
    ownedEnvironments(samples, system);
    sharedEnvironments(samples, system);
    schedulerEvents(samples);
    registries(samples);
    wire(samples);
    shellsAndFiles(samples, system);
    DatasetGoldenSamples.add(samples, system, AT);
    ServiceGoldenSamples.add(samples, system, AT);
    JobGoldenSamples.add(samples, system, AT);
    DeviceGoldenSamples.add(samples, system, AT);
    UsageGoldenSamples.add(samples, system, AT);
    return samples;
  }

  private static void environmentEvents(Map<String, Object> s) {
    s.put("environment-event.Requested", new EnvironmentEntity.Requested(SPEC, RECIPE, AT));
    s.put("environment-event.Requested.with-os-release", new EnvironmentEntity.Requested(
        new EnvironmentSpec(SPEC.name(), SPEC.version(), "ubuntu", new EnvironmentSpec.OsRelease("22.04", "22.04"),
            SPEC.languages(), SPEC.resources(), SPEC.datasets(), SPEC.ports(), SPEC.storage(), SPEC.command(), SPEC.env(),
            SPEC.constraints(), SPEC.restartPolicy()), RECIPE, AT));
    s.put("environment-event.Requested.with-secret-env", new EnvironmentEntity.Requested(SPEC_WITH_SECRETS, RECIPE, AT));
    s.put("environment-event.Requested.with-run-limits", new EnvironmentEntity.Requested(new EnvironmentSpec(
        SPEC.name(), SPEC.version(), SPEC.os(), null, SPEC.languages(), SPEC.resources(), SPEC.datasets(), SPEC.ports(),
        SPEC.storage(), SPEC.command(), SPEC.env(), SPEC.constraints(), SPEC.restartPolicy(), Map.of(),
        java.time.Duration.ofMinutes(30), null, java.time.Duration.ofHours(8)), RECIPE, AT));
    s.put("environment-event.Requested.with-kept-volume", new EnvironmentEntity.Requested(SPEC.withStorage(List.of(
        new EnvironmentSpec.VolumeSpec("/data", 1L << 30, EnvironmentSpec.Lifecycle.PERSISTENT,
            new EnvironmentSpec.KeptVolume("dcloud-n1-0b5e1c1e-7d1a-4a55-9d34-5d3c1e2f8a90-0", "n1")))), RECIPE, AT));
    s.put("environment-event.QueuedForCapacity", new EnvironmentEntity.QueuedForCapacity(3, "no room", AT));
    s.put("environment-event.PlacedOnNode", new EnvironmentEntity.PlacedOnNode("n1", List.of("GPU-1"), AT));
    s.put("environment-event.PlacedOnNode.with-reason", new EnvironmentEntity.PlacedOnNode(
        "n1", List.of(), AT, "holds dataset images/cifar/train v3 in its cache"));
    s.put("environment-event.PlacementRefused", new EnvironmentEntity.PlacementRefused("too big", AT));
    s.put("environment-event.ImageBuilding", new EnvironmentEntity.ImageBuilding(AT));
    s.put("environment-event.ContainerStarting", new EnvironmentEntity.ContainerStarting(AT));
    s.put("environment-event.ContainerStarting.with-datasets", new EnvironmentEntity.ContainerStarting(AT,
        List.of(new EnvironmentSpec.DatasetRef("images", "cifar", "train", "3"))));
    s.put("environment-event.DatasetsPreparing", new EnvironmentEntity.DatasetsPreparing(AT));
    s.put("environment-event.ContainerRunning", new EnvironmentEntity.ContainerRunning("c1", PORTS, AT));
    s.put("environment-event.ContainerRunning.with-container-address", new EnvironmentEntity.ContainerRunning(
        "c1", List.of(new PublishedPort(8888, "tcp", "127.0.0.1", 32768, "172.18.0.5")), AT));
    s.put("environment-event.ContainerExited", new EnvironmentEntity.ContainerExited("c1", 137, true, "oom", AT));
    s.put("environment-event.DeploymentFailed", new EnvironmentEntity.DeploymentFailed("no image", AT));
    s.put("environment-event.StopRequested", new EnvironmentEntity.StopRequested(AT));
    s.put("environment-event.Stopped", new EnvironmentEntity.Stopped("stopped on request", AT));
    s.put("environment-event.StartRequested", new EnvironmentEntity.StartRequested(AT));
    s.put("environment-event.DeleteRequested", new EnvironmentEntity.DeleteRequested(AT));
    s.put("environment-event.RelocationRequested", new EnvironmentEntity.RelocationRequested("n1", AT));
    s.put("environment-event.Relocated", new EnvironmentEntity.Relocated(AT));
    s.put("environment-event.LostWithNode", new EnvironmentEntity.LostWithNode("n1", AT));
    s.put("environment-event.Rescheduled", new EnvironmentEntity.Rescheduled(EnvironmentSpec.RestartPolicy.ALWAYS, AT));
    s.put("environment-event.Deleted", new EnvironmentEntity.Deleted(AT));
  }

  /** What environments carry since they have owners, and requests their actors: written after the files above. */
  private static void ownedEnvironments(Map<String, Object> s, ActorSystem<?> system) {
    s.put("environment-event.Requested.with-owner", new EnvironmentEntity.Requested(SPEC, RECIPE, AT, "alice"));
    s.put("environment-event.StopRequested.with-actor", new EnvironmentEntity.StopRequested(AT, "alice"));
    s.put("environment-event.StartRequested.with-actor", new EnvironmentEntity.StartRequested(AT, "alice"));
    s.put("environment-event.DeleteRequested.with-actor", new EnvironmentEntity.DeleteRequested(AT, "admin"));
    s.put("environment-event.Deleted.with-actor", new EnvironmentEntity.Deleted(AT, "admin"));
    s.put("wire.environment.Ok.with-owner", new EnvironmentEntity.Ok(new EnvironmentView(
        "e1", "demo", EnvironmentStatus.RUNNING, "n1", "c1", SPEC, RECIPE, List.of("GPU-1"), PORTS,
        List.of("dcloud-e1-0"), null, null, AT, AT,
        List.of(new EnvironmentView.HistoryEntry(AT, EnvironmentStatus.RUNNING, "running")), "alice")));
    s.put("wire.environment.Create", new EnvironmentEntity.Create(SPEC, RECIPE, system.deadLetters(), "alice", null));
    s.put("wire.environment.Create.notAfter", new EnvironmentEntity.Create(
        SPEC, RECIPE, system.deadLetters(), "alice", Instant.parse("2026-12-02T09:30:00Z")));
    s.put("wire.environment.Create.newId", new EnvironmentEntity.Create(
        SPEC, RECIPE, system.deadLetters(), "alice", Instant.parse("2026-12-03T12:00:00Z"), true));
    s.put("wire.environment.Stop", new EnvironmentEntity.Stop(system.deadLetters(), "alice", null));
    s.put("wire.environment.Start", new EnvironmentEntity.Start(system.deadLetters(), "alice", null));
    s.put("wire.environment.Delete", new EnvironmentEntity.Delete(system.deadLetters(), "admin", null));
    s.put("wire.OwnerUsage", new OwnerUsage(1500, 1L << 31, 1, 2, 1L << 33));
    ObjectNode spec = JsonNodeFactory.instance.objectNode().put("os", "debian");
    Template owned = new Template("mine", "alice's own", spec, "alice");
    s.put("template-event.TemplateSaved.with-owner", new TemplateRegistry.TemplateSaved(owned));
    s.put("template-snapshot.State.with-owner", new TemplateRegistry.State(Map.of("mine", owned)));
  }

  /** What environments carry since they can be shared with groups: written after the files above. */
  private static void sharedEnvironments(Map<String, Object> s, ActorSystem<?> system) {
    s.put("environment-event.SharedWith", new EnvironmentEntity.SharedWith(List.of("lab-a", "lab-b"), "alice", AT));
    s.put("environment-event.SharedWith.none", new EnvironmentEntity.SharedWith(List.of(), "alice", AT));
    s.put("wire.environment.Share", new EnvironmentEntity.Share(List.of("lab-a"), "alice", system.deadLetters()));
    s.put("wire.environment.Exec",
        new EnvironmentEntity.Exec(List.of("sh", "-c", "cat"), "hi", 30_000, 1 << 20, system.deadLetters()));
    s.put("wire.node.ListVolumes", new NodeProtocol.ListVolumes(system.deadLetters()));
    s.put("wire.node.RemoveVolume", new NodeProtocol.RemoveVolume("dcloud-n1-e1-0", system.deadLetters()));
    s.put("wire.node.ClaimVolume", new NodeProtocol.ClaimVolume("dcloud-n1-e1-0", "e2", system.deadLetters()));
    s.put("wire.node.ReleaseVolumeClaim", new NodeProtocol.ReleaseVolumeClaim("dcloud-n1-e1-0", "e2"));
    s.put("wire.node.ExecIn", new NodeProtocol.ExecIn(
        "e1", "c1", List.of("sh", "-c", "cat"), "hi", 30_000, 1 << 20, system.deadLetters()));
    s.put("wire.environment.Ok.shared", new EnvironmentEntity.Ok(new EnvironmentView(
        "e1", "demo", EnvironmentStatus.RUNNING, "n1", "c1", SPEC, RECIPE, List.of("GPU-1"), PORTS,
        List.of("dcloud-e1-0"), null, null, AT, AT,
        List.of(new EnvironmentView.HistoryEntry(AT, EnvironmentStatus.RUNNING, "running")), "alice", List.of("lab-a"))));
    s.put("environment-event.RestartScheduled", new EnvironmentEntity.RestartScheduled(2, 20_000, AT));
    s.put("environment-event.StartRequested.restart", new EnvironmentEntity.StartRequested(AT, null, 2));
    // Where a user's request came from, for the audit log.
    s.put("environment-event.Requested.with-address", new EnvironmentEntity.Requested(SPEC, RECIPE, AT, "alice", "10.0.0.7"));
    s.put("environment-event.StopRequested.with-address", new EnvironmentEntity.StopRequested(AT, "alice", null, "10.0.0.7"));
    s.put("environment-event.Stopped.by-a-user", new EnvironmentEntity.Stopped(
        "stopped by alice before it was placed", AT, "alice", "10.0.0.7"));
    s.put("environment-event.StartRequested.with-address", new EnvironmentEntity.StartRequested(AT, "alice", null, "10.0.0.7"));
    s.put("environment-event.DeleteRequested.with-address", new EnvironmentEntity.DeleteRequested(AT, "admin", "10.0.0.7"));
    s.put("environment-event.Deleted.with-address", new EnvironmentEntity.Deleted(AT, "admin", "10.0.0.7"));
    s.put("environment-event.SharedWith.with-address", new EnvironmentEntity.SharedWith(List.of("lab-a"), "alice", AT, "10.0.0.7"));
    s.put("wire.environment.Create.with-address", new EnvironmentEntity.Create(
        SPEC, RECIPE, system.deadLetters(), "alice", AT, true, "10.0.0.7"));
    s.put("wire.environment.Stop.with-address", EnvironmentEntity.Stop.by(system.deadLetters(), "alice", "10.0.0.7"));
    s.put("wire.environment.Start.with-address", new EnvironmentEntity.Start(system.deadLetters(), "alice", "10.0.0.7"));
    s.put("wire.environment.Delete.with-address", new EnvironmentEntity.Delete(system.deadLetters(), "admin", "10.0.0.7"));
    // A container's log lines, from an instant and with their times (wire types: an ActorRef each).
    s.put("wire.node.StreamLogs", new NodeProtocol.StreamLogs("e1", "c1", 100, true, system.deadLetters()));
    s.put("wire.node.StreamLogs.since", new NodeProtocol.StreamLogs("e1", "c1", 100, false, system.deadLetters(), AT, true));
    s.put("wire.environment.StreamLogs", new EnvironmentEntity.StreamLogs(100, true, system.deadLetters()));
    s.put("wire.environment.StreamLogs.since", new EnvironmentEntity.StreamLogs(100, false, system.deadLetters(), AT, true));
    s.put("wire.environment.Share.with-address", new EnvironmentEntity.Share(List.of("lab-a"), "alice", system.deadLetters(), "10.0.0.7"));
    s.put("wire.environment.RestartDue", new EnvironmentEntity.RestartDue(1_764_504_000_000L));
    // A user's restart, carried through by the entity.
    s.put("environment-event.RestartRequested", new EnvironmentEntity.RestartRequested(AT, "alice", "10.0.0.7"));
    s.put("wire.environment.Restart", new EnvironmentEntity.Restart(system.deadLetters(), "alice", "10.0.0.7"));
    // A user's resize.
    s.put("environment-event.Resized", new EnvironmentEntity.Resized(
        new Resources(2000, 4L << 30, 1, 0, null), AT, "alice", "10.0.0.7"));
    s.put("wire.environment.Resize", new EnvironmentEntity.Resize(
        new Resources(2000, 4L << 30, 1, 0, null), system.deadLetters(), "alice", "10.0.0.7"));
    // A resize as it runs: asked, the scheduler weighs and holds it (or declines), the node changes the container's limits.
    s.put("environment-event.Resized.in-place", new EnvironmentEntity.Resized(
        new Resources(2000, 4L << 30, 0, 0, null), AT, "alice", "10.0.0.7", true));
    s.put("environment-event.ResizeAsked", new EnvironmentEntity.ResizeAsked(
        new Resources(2000, 4L << 30, 0, 0, null), AT, "alice", "10.0.0.7"));
    s.put("environment-event.ResizeDeclined", new EnvironmentEntity.ResizeDeclined(
        new Resources(2000, 4L << 30, 0, 0, null), "node n1 has no room for it to grow: 1 core free, 2 more asked", AT));
    s.put("environment-event.LimitsApplied", new EnvironmentEntity.LimitsApplied(new Resources(2000, 4L << 30, 0, 0, null), AT));
    s.put("environment-event.LimitsRefused", new EnvironmentEntity.LimitsRefused("it uses 3 GiB of RAM, more than the 2 GiB asked", AT));
    // An earlier gateway's, which asked the scheduler itself: its inPlace is ignored (the entity asks now).
    s.put("wire.environment.Resize.in-place", new EnvironmentEntity.Resize(
        new Resources(2000, 4L << 30, 0, 0, null), system.deadLetters(), "alice", "10.0.0.7"));
    s.put("wire.scheduler.ResizeReservation", new Scheduler.ResizeReservation(
        "e1", new Resources(2000, 4L << 30, 0, 0, null), system.deadLetters()));
    s.put("wire.scheduler.ResizeAnswer", new Scheduler.ResizeAnswer(Scheduler.ResizeOutcome.REFUSED, "node n1 has no room"));
    s.put("wire.node.UpdateLimits", new NodeProtocol.UpdateLimits("e1", "c1", new Resources(2000, 4L << 30, 0, 0, null)));
    s.put("wire.environment.ContainerReport.resized", new EnvironmentEntity.FromNode(new NodeProtocol.ContainerReport(
        "n1", NodeProtocol.ContainerPhase.RESIZED, "c1", List.of(), null, false, "limits changed", null, null,
        new Resources(2000, 4L << 30, 0, 0, null))));
    s.put("wire.environment.Ok.restarting", new EnvironmentEntity.Ok(new EnvironmentView(
        "e1", "demo", EnvironmentStatus.FAILED, "n1", "c1", SPEC, RECIPE, List.of(), PORTS,
        List.of(), "exited with code 1; restart 2 in 20s", null, AT, AT,
        List.of(new EnvironmentView.HistoryEntry(AT, EnvironmentStatus.FAILED, "exited with code 1")), "alice", List.of(),
        null, null, 2, AT.plusSeconds(20))));
    proxy(s, system);
  }

  /** The proxy's messages; their StreamRefs are null here (a StreamRef is only valid while its stream runs). */
  private static void proxy(Map<String, Object> s, ActorSystem<?> system) {
    ProxyWire.Http http = new ProxyWire.Http("POST", "/api/v1/environments/e1/proxy/8888/api/contents?x=1",
        List.of(new ProxyWire.Header("Accept", "application/json")), "application/json",
        new ProxyWire.Chunk("{}".getBytes(java.nio.charset.StandardCharsets.UTF_8)), null);
    s.put("wire.environment.Proxy", new EnvironmentEntity.Proxy(8888, http, system.deadLetters()));
    s.put("wire.node.ProxyTo", new NodeProtocol.ProxyTo("e1", "c1", PORTS.get(0), http, system.deadLetters()));
    s.put("wire.node.ProxyTo.websocket", new NodeProtocol.ProxyTo("e1", "c1", PORTS.get(0), new ProxyWire.WebSocket(
        "/api/v1/environments/e1/proxy/8888/api/kernels/k1/channels", List.of(), List.of("v1.kernel.websocket.jupyter.org"),
        null), system.deadLetters()));
    s.put("wire.proxy.Response", new ProxyWire.Response(200, List.of(new ProxyWire.Header("ETag", "\"1\"")),
        "text/html; charset=UTF-8", new ProxyWire.Chunk(new byte[] {60, 104, 49, 62}), null));
    s.put("wire.proxy.WebSocketOpened", new ProxyWire.WebSocketOpened("v1.kernel.websocket.jupyter.org", null));
    s.put("wire.proxy.Unavailable", new ProxyWire.Unavailable(ProxyWire.Why.NOT_RUNNING, "the environment is STOPPED"));
    s.put("wire.proxy.Frame", new ProxyWire.Frame(true, new byte[] {123, 125}, true));
  }

  private static void schedulerEvents(Map<String, Object> s) {
    s.put("scheduler-event.Reserved", new Scheduler.Reserved("e1", "n1", RESOURCES, List.of("GPU-1")));
    s.put("scheduler-event.Enqueued", new Scheduler.Enqueued(REQUEST));
    s.put("scheduler-event.Reserved.with-reason", new Scheduler.Reserved(
        "e1", "n1", RESOURCES, List.of(), "holds dataset images/cifar/train v3 in its cache"));
    s.put("scheduler-event.Enqueued.with-datasets", new Scheduler.Enqueued(new PlacementRequest(
        "e1", RESOURCES, Map.of(), null, List.of("images/cifar/train@3", "images/cifar/test@latest"))));
    s.put("scheduler-event.Enqueued.spread-required", new Scheduler.Enqueued(new PlacementRequest(
        "e1", RESOURCES, Map.of(), null, null, "ha", true)));
    s.put("scheduler-event.PlacementsDecided", new Scheduler.PlacementsDecided(
        List.of(new Scheduler.Reserved("e1", "n1", RESOURCES, List.of("GPU-1")),
            new Scheduler.Reserved("e2", "n2", RESOURCES, List.of(), "holds 1 of its 1 dataset versions")),
        List.of(new Scheduler.Enqueued(REQUEST))));
    s.put("scheduler-event.Released", new Scheduler.Released("e1"));
    s.put("scheduler-event.NodeCordoned", new Scheduler.NodeCordoned("n1"));
    s.put("scheduler-event.NodeUncordoned", new Scheduler.NodeUncordoned("n1"));
    s.put("scheduler-event.NodeDrainStarted", new Scheduler.NodeDrainStarted("n1"));
    s.put("scheduler-event.NodeLost", new Scheduler.NodeLost("n1"));
    s.put("scheduler-event.LossConfirmed", new Scheduler.LossConfirmed("e1"));
    s.put("scheduler-snapshot.Snapshot", new SchedulerSnapshot(
        List.of(new SchedulerSnapshot.Entry("e1", "n1", 500, 1L << 30, 1, 1L << 32, "A100", List.of("GPU-1"), null)),
        List.of(REQUEST), Set.of("n2"), Set.of("n3"), Map.of("e9", "n4")));
    s.put("scheduler-snapshot.Snapshot.with-groups", new SchedulerSnapshot(
        List.of(new SchedulerSnapshot.Entry("e1", "n1", 500, 1L << 30, 0, 0, null, List.of(), "iris"),
            new SchedulerSnapshot.Entry("e2", "n2", 500, 1L << 30, 0, 0, null, List.of(), null)),
        List.of(new PlacementRequest("e3", RESOURCES, Map.of(), null, null, "iris")), Set.of(), Set.of(), Map.of()));
    s.put("scheduler-event.Reserved.with-group", new Scheduler.Reserved(
        "e1", "n2", RESOURCES, List.of(), "spreads its service's replicas: holds 0 of them", "iris"));
    s.put("scheduler-event.Enqueued.with-group", new Scheduler.Enqueued(new PlacementRequest(
        "e1", RESOURCES, Map.of(), null, List.of("models/iris/bundle@2"), "iris")));
  }

  private static void registries(Map<String, Object> s) {
    Catalog catalog = new Catalog(List.of(new Catalog.OsEntry(
        "debian", "debian:12", List.of("apt-get update"),
        Map.of("python", new Catalog.LanguageEntry(List.of("apt-get install -y python3"),
            Map.of("numpy", List.of("apt-get install -y python3-numpy")))), null)));
    s.put("catalog-event.CatalogReplaced", new CatalogRegistry.CatalogReplaced(catalog));
    s.put("catalog-snapshot.State", new CatalogRegistry.State(catalog));
    ObjectNode spec = JsonNodeFactory.instance.objectNode().put("os", "debian");
    Template template = new Template("small", "a small one", spec);
    s.put("template-event.TemplateSaved", new TemplateRegistry.TemplateSaved(template));
    s.put("template-event.TemplateDeleted", new TemplateRegistry.TemplateDeleted("small"));
    s.put("template-snapshot.State", new TemplateRegistry.State(Map.of("small", template)));
  }

  private static EnvironmentEntity.FromScheduler fromScheduler(PlacementAnswer answer) {
    return new EnvironmentEntity.FromScheduler(answer);
  }

  private static void wire(Map<String, Object> s) {
    s.put("wire.Persisted", new EnvironmentEntity.Persisted("e1", 7, new EnvironmentEntity.LostWithNode("n1", AT)));
    s.put("wire.EnvironmentUpdate", new EnvironmentUpdate("e1", EnvironmentUpdate.Kind.STATUS, "RUNNING", "running", AT));
    s.put("wire.EnvironmentUpdate.with-bytes", EnvironmentUpdate.progress("e1", "fetching datasets: 1024 of 4096 bytes", AT));
    s.put("wire.NodeStatus", new NodeStatus(
        "n1", "host-1", RESOURCES, List.of(new GpuDevice(0, "GPU-1", "NVIDIA H200", 143771L)),
        new NodeStatus.Usage(12.5, 1L << 20, 1L << 30, 2), Map.of("zone", "z1"), true, "24.0.5", null, AT, "member-1"));
    s.put("wire.NodeStatus.with-datasets", new NodeStatus(
        "n1", "host-1", RESOURCES, List.of(), NodeStatus.Usage.NONE, Map.of(), true, "24.0.5", null, AT, "member-1",
        List.of("images/cifar/test@1", "images/cifar/train@3")));
    s.put("wire.environment.Placed", fromScheduler(new PlacementAnswer.Granted("n1", List.of("GPU-1"))));
    s.put("wire.environment.Placed.with-reason", fromScheduler(new PlacementAnswer.Granted(
        "n1", List.of(), "holds dataset images/cifar/train v3 in its cache")));
    s.put("wire.environment.Queued", fromScheduler(new PlacementAnswer.Waiting(2, "waiting for capacity")));
    s.put("wire.environment.Refused", fromScheduler(new PlacementAnswer.Refused("no node has 2 GPUs")));
    s.put("wire.environment.NodeLost", fromScheduler(new PlacementAnswer.NodeGone("n1")));
    s.put("wire.environment.Relocate", fromScheduler(new PlacementAnswer.MoveOff("n1")));
    s.put("wire.environment.ContainerReport", new EnvironmentEntity.FromNode(new NodeProtocol.ContainerReport(
        "n1", NodeProtocol.ContainerPhase.RUNNING, "c1", PORTS, null, false, "running")));
    s.put("wire.environment.ContainerReport.with-datasets", new EnvironmentEntity.FromNode(new NodeProtocol.ContainerReport(
        "n1", NodeProtocol.ContainerPhase.STARTING, null, List.of(), null, false, "creating container",
        List.of(new EnvironmentSpec.DatasetRef("images", "cifar", "train", "3")))));
    s.put("wire.environment.ContainerReport.preparing", new EnvironmentEntity.FromNode(new NodeProtocol.ContainerReport(
        "n1", NodeProtocol.ContainerPhase.PREPARING, null, List.of(), null, false, "fetching datasets")));
    s.put("wire.environment.RetryTick", new EnvironmentEntity.RetryTick(42));
    s.put("wire.environment.Passivate", new EnvironmentEntity.Passivate());
    s.put("wire.environment.Wake", new EnvironmentEntity.Wake());
    s.put("wire.environment.Ok", new EnvironmentEntity.Ok(new EnvironmentView(
        "e1", "demo", EnvironmentStatus.RUNNING, "n1", "c1", SPEC, RECIPE, List.of("GPU-1"), PORTS,
        List.of("dcloud-e1-0"), null, null, AT, AT,
        List.of(new EnvironmentView.HistoryEntry(AT, EnvironmentStatus.RUNNING, "running")), null)));
    s.put("wire.environment.NotFound", new EnvironmentEntity.NotFound("e1"));
    s.put("wire.environment.Conflict", new EnvironmentEntity.Conflict("exists"));
    s.put("wire.environment.TooLate", new EnvironmentEntity.TooLate("arrived 120 ms late"));
    s.put("wire.scheduler.Place", new Scheduler.Place(REQUEST));
    s.put("wire.scheduler.Release", new Scheduler.Release("e1"));
    s.put("wire.scheduler.ConfirmLoss", new Scheduler.ConfirmLoss("e1"));
    s.put("wire.scheduler.Reservations", new Scheduler.Reservations("n1", List.of("e1", "e2")));
    s.put("wire.scheduler.Feasibility", new Scheduler.Feasibility("too big"));
    NodeView node = new NodeView(
        new NodeStatus("n1", "host-1", RESOURCES, List.of(new GpuDevice(0, "GPU-1", "NVIDIA H200", 143771L)),
            NodeStatus.Usage.NONE, Map.of("zone", "z1"), true, "24.0.5", null, AT, "member-1"),
        NodeAvailability.CORDONED, RESOURCES, List.of("GPU-1"), 2);
    s.put("wire.scheduler.Nodes", new Scheduler.Nodes(List.of(node)));
    s.put("wire.scheduler.NodeAnswer", new Scheduler.NodeAnswer("n1", node));
    s.put("wire.scheduler.PlacementPreview", new PlacementPreview(
        PlacementPreview.Outcome.FITS, "n1", List.of("GPU-1"), "most free cpu and memory (spread)"));
    s.put("wire.node.Deploy", new NodeProtocol.Deploy("e1", SPEC, RECIPE, List.of("GPU-1"), null));
    s.put("wire.node.Deploy.with-owner", new NodeProtocol.Deploy("e1", SPEC, RECIPE, List.of("GPU-1"), "alice"));
    s.put("wire.node.Deploy.with-secret-env",
        new NodeProtocol.Deploy("e1", SPEC_WITH_SECRETS, RECIPE, List.of("GPU-1"), "alice"));
    s.put("wire.node.StartContainer", new NodeProtocol.StartContainer("e1", "c1"));
    s.put("wire.node.StopContainer", new NodeProtocol.StopContainer("e1", "c1"));
    s.put("wire.node.RemoveContainer", new NodeProtocol.RemoveContainer("e1", "c1", List.of("dcloud-e1-0")));
    s.put("wire.node.Volumes", new NodeProtocol.Volumes(List.of(
        new NodeProtocol.Volume("dcloud-n1-e1-0", "e1", "/data", Instant.parse("2026-12-05T20:00:00Z"), true, null),
        new NodeProtocol.Volume("dcloud-n1-e2-0", "e2", null, null, false, null))));
    s.put("wire.node.Volumes.with-used-bytes", new NodeProtocol.Volumes(List.of(
        new NodeProtocol.Volume("dcloud-n1-e1-0", "e1", "/data", Instant.parse("2026-12-07T02:00:00Z"), true, 104_857_600L))));
    s.put("wire.node.VolumeRemoved", new NodeProtocol.VolumeRemoved("dcloud-n1-e1-0", NodeProtocol.VolumeRemoval.IN_USE));
    s.put("wire.node.VolumesUnavailable", new NodeProtocol.VolumesUnavailable("the Docker Engine is unavailable"));
    s.put("wire.node.VolumeClaimed", new NodeProtocol.VolumeClaimed("dcloud-n1-e1-0", "e2"));
    s.put("wire.node.Stats", new NodeProtocol.Stats(1.5, 10, 20, 30, 40, 50, 60, 7));
    s.put("wire.node.StatsUnavailable", new NodeProtocol.StatsUnavailable("not running"));
    s.put("wire.node.LogsUnavailable", new NodeProtocol.LogsUnavailable("no container"));
    s.put("wire.node.ExecResult", new NodeProtocol.ExecResult(0, "hi", "", false, false));
    s.put("wire.node.ExecResult.timed-out", new NodeProtocol.ExecResult(null, "started", "", true, true));
    s.put("wire.node.ExecUnavailable", new NodeProtocol.ExecUnavailable("the environment is STOPPED, not RUNNING"));
    s.put("wire.node.LogsRefused", new NodeProtocol.LogsRefused("node n1 already follows 64 logs", 64));
  }

  /**
   * Interactive commands and file transfers. The commands that carry a StreamRef (ShellIn,
   * PutFilesIn, Opened, Read) have no sample, as Logs has none: a StreamRef only resolves in a cluster.
   */
  private static void shellsAndFiles(Map<String, Object> s, ActorSystem<?> system) {
    s.put("wire.shell.Stdin", new ShellProtocol.Stdin(new byte[] {'l', 's', '\n', 0, -1}));
    s.put("wire.shell.Resize", new ShellProtocol.Resize(120, 40));
    s.put("wire.shell.StdinEnd", new ShellProtocol.StdinEnd());
    s.put("wire.shell.Bytes", new ShellProtocol.Bytes(new byte[] {'h', 'i', '\r', '\n', 27}));
    s.put("wire.shell.Exit", new ShellProtocol.Exit(0));
    s.put("wire.shell.Exit.unknown", new ShellProtocol.Exit(null));
    s.put("wire.shell.Unavailable", new ShellProtocol.Unavailable("the environment is STOPPED, not RUNNING"));
    s.put("wire.shell.Refused", new ShellProtocol.Refused("node n1 already runs 16 shells", 16));
    s.put("wire.files.Written", new FilesProtocol.Written("/home/user/a.txt", 42));
    s.put("wire.files.Missing", new FilesProtocol.Missing("/home/user/nothing"));
    s.put("wire.files.Rejected", new FilesProtocol.Rejected("the upload is not a readable tar: bad header"));
    s.put("wire.files.Unavailable", new FilesProtocol.Unavailable("the environment is STOPPED, not RUNNING"));
    s.put("wire.files.Refused", new FilesProtocol.Refused("node n1 already runs 8 transfers", 8));
    s.put("wire.environment.GetFiles", new EnvironmentEntity.GetFiles("/home/user", system.deadLetters()));
    s.put("wire.node.GetFilesIn", new NodeProtocol.GetFilesIn("e1", "c1", "/home/user", system.deadLetters()));
  }
}
