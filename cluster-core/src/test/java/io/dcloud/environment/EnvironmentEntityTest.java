package io.dcloud.environment;

import static org.assertj.core.api.Assertions.assertThat;

import io.dcloud.contracts.EnvironmentNames;
import io.dcloud.node.FilesProtocol;
import io.dcloud.node.NodeProtocol;
import io.dcloud.node.NodeProtocol.ContainerPhase;
import io.dcloud.node.NodeProtocol.ContainerReport;
import io.dcloud.node.ShellProtocol;
import io.dcloud.resources.Resources;
import io.dcloud.scheduler.PlacementAnswer;
import io.dcloud.scheduler.PlacementRequest;
import io.dcloud.scheduler.Scheduler;
import io.dcloud.spec.EnvironmentSpec;
import io.dcloud.spec.EnvironmentSpec.Lifecycle;
import io.dcloud.spec.EnvironmentSpec.VolumeSpec;
import io.dcloud.spec.ServiceBinding;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Metrics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.apache.pekko.actor.testkit.typed.javadsl.FishingOutcomes;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.junit.jupiter.api.Test;

/** The environment lifecycle against an in-memory journal: create, run, exec and shells, stop, delete, history. */
class EnvironmentEntityTest extends EnvironmentEntityFixture {
  @Test
  void createIsRequestedAndAsksTheSchedulerOnce() {
    Metrics.addRegistry(new SimpleMeterRegistry());
    double requestedBefore = requestedEvents();
    EnvironmentView view = create();
    assertThat(view.status()).isEqualTo(EnvironmentStatus.REQUESTED);
    assertThat(view.name()).isEqualTo("demo");
    assertThat(requestedEvents()).as("counted by type, once each").isEqualTo(requestedBefore + 1);
  }

  private static double requestedEvents() {
    Counter requested = Metrics.globalRegistry.find("dcloud.environment.events").tag("event", "Requested").counter();
    return requested == null ? 0 : requested.count();
  }

  @Test
  void createAgainWithTheSameSpecIsTheSameEnvironmentAndWithAnotherIsAConflict() {
    create();
    var same = entity.<EnvironmentEntity.Reply>runCommand(replyTo -> new EnvironmentEntity.Create(spec(64L << 20), RECIPE, replyTo));
    assertThat(same.hasNoEvents()).isTrue();
    assertThat(same.reply()).isInstanceOf(EnvironmentEntity.Ok.class);
    var other = entity.<EnvironmentEntity.Reply>runCommand(replyTo -> new EnvironmentEntity.Create(spec(128L << 20), RECIPE, replyTo));
    assertThat(other.reply()).isInstanceOf(EnvironmentEntity.Conflict.class);
  }

  @Test
  void aCreateThatArrivesAfterItsRequesterStoppedWaitingCreatesNothingButARetryOfAnExistingOneIsAnswered() {
    Metrics.addRegistry(new SimpleMeterRegistry());
    double lateBefore = Metrics.globalRegistry.get("dcloud.environment.creates.late").counter().count();
    Instant passed = Instant.now().minusMillis(50);
    var late = entity.<EnvironmentEntity.Reply>runCommand(
        replyTo -> new EnvironmentEntity.Create(spec(64L << 20), RECIPE, replyTo, "alice", passed));
    assertThat(late.hasNoEvents()).isTrue();
    assertThat(late.reply()).isInstanceOf(EnvironmentEntity.TooLate.class);
    assertThat(((EnvironmentEntity.TooLate) late.reply()).reason()).contains(id, "nothing was created");
    assertThat(entity.runCommand(EnvironmentEntity.Get::new).reply()).isEqualTo(new EnvironmentEntity.NotFound(id));
    scheduler.expectNoMessage(Duration.ofMillis(100));
    assertThat(Metrics.globalRegistry.get("dcloud.environment.creates.late").counter().count()).isEqualTo(lateBefore + 1);

    var inTime = entity.<EnvironmentEntity.Reply>runCommand(
        replyTo -> new EnvironmentEntity.Create(spec(64L << 20), RECIPE, replyTo, "alice", Instant.now().plusSeconds(5)));
    assertThat(inTime.event()).isInstanceOf(EnvironmentEntity.Requested.class);
    // A retry that comes late finds the environment its first try made: that is its answer.
    var retried = entity.<EnvironmentEntity.Reply>runCommand(
        replyTo -> new EnvironmentEntity.Create(spec(64L << 20), RECIPE, replyTo, "alice", passed));
    assertThat(retried.hasNoEvents()).isTrue();
    assertThat(retried.reply()).isInstanceOf(EnvironmentEntity.Ok.class);
  }

  @Test
  void unknownEnvironmentIsNotFound() {
    var result = entity.runCommand(EnvironmentEntity.Get::new);
    assertThat(result.reply()).isEqualTo(new EnvironmentEntity.NotFound(id));
  }

  @Test
  void execGoesToTheNodeOfARunningEnvironmentAndIsUnavailableOtherwise() {
    TestProbe<NodeProtocol.ExecReply> answers = testKit.createTestProbe();
    EnvironmentEntity.Exec exec = new EnvironmentEntity.Exec(List.of("echo", "hi"), "in", 30_000, 1024, answers.getRef());

    entity.runCommand(exec);
    assertThat(answers.receiveMessage(WAIT)).isEqualTo(new NodeProtocol.ExecUnavailable("no such environment"));
    create();
    entity.runCommand(exec);
    assertThat(answers.receiveMessage(WAIT)).isEqualTo(new NodeProtocol.ExecUnavailable("the environment is REQUESTED, not RUNNING"));
    runOn("c1");
    entity.runCommand(exec);

    assertThat(node.expectMessageClass(NodeProtocol.ExecIn.class, WAIT))
        .isEqualTo(new NodeProtocol.ExecIn(id, "c1", List.of("echo", "hi"), "in", 30_000, 1024, answers.getRef()));
  }

  @Test
  void shellsAndFileTransfersGoToTheNodeOfARunningEnvironmentAndAreUnavailableOtherwise() {
    TestProbe<ShellProtocol.Reply> shellAnswers = testKit.createTestProbe();
    TestProbe<FilesProtocol.Reply> fileAnswers = testKit.createTestProbe();
    EnvironmentEntity.Shell shell = new EnvironmentEntity.Shell(List.of("sh"), true, null, shellAnswers.getRef());
    EnvironmentEntity.GetFiles get = new EnvironmentEntity.GetFiles("/tmp", fileAnswers.getRef());
    EnvironmentEntity.PutFiles put = new EnvironmentEntity.PutFiles("/tmp/a", false, 3L, null, fileAnswers.getRef());

    create();
    entity.runCommand(shell);
    assertThat(shellAnswers.receiveMessage(WAIT))
        .isEqualTo(new ShellProtocol.Unavailable("the environment is REQUESTED, not RUNNING"));
    entity.runCommand(get);
    assertThat(fileAnswers.receiveMessage(WAIT))
        .isEqualTo(new FilesProtocol.Unavailable("the environment is REQUESTED, not RUNNING"));
    runOn("c1");
    entity.runCommand(shell);
    entity.runCommand(put);
    entity.runCommand(get);

    assertThat(node.expectMessageClass(NodeProtocol.ShellIn.class, WAIT))
        .isEqualTo(new NodeProtocol.ShellIn(id, "c1", List.of("sh"), true, null, shellAnswers.getRef()));
    assertThat(node.expectMessageClass(NodeProtocol.PutFilesIn.class, WAIT))
        .isEqualTo(new NodeProtocol.PutFilesIn(id, "c1", "/tmp/a", false, 3L, null, fileAnswers.getRef()));
    assertThat(node.expectMessageClass(NodeProtocol.GetFilesIn.class, WAIT))
        .isEqualTo(new NodeProtocol.GetFilesIn(id, "c1", "/tmp", fileAnswers.getRef()));
  }

  @Test
  void walksThroughTheLifecycleToRunningWithHistory() {
    create();
    runOn("c1");
    var view = ((EnvironmentEntity.Ok) entity.runCommand(EnvironmentEntity.Get::new).reply()).view();
    assertThat(view.containerId()).isEqualTo("c1");
    assertThat(view.node()).isEqualTo(NODE);
    assertThat(view.history()).extracting(EnvironmentView.HistoryEntry::status)
        .containsExactly(EnvironmentStatus.REQUESTED, EnvironmentStatus.PLACED, EnvironmentStatus.BUILDING, EnvironmentStatus.STARTING, EnvironmentStatus.RUNNING);
  }

  @Test
  void aNodeFetchingDatasetsMakesItPreparingAndTheStartRecordsTheResolvedVersions() {
    create();
    entity.runCommand(new EnvironmentEntity.FromScheduler(new PlacementAnswer.Granted(NODE, List.of())));
    node.expectMessageClass(NodeProtocol.Deploy.class, WAIT);
    var preparing = entity.runCommand(report(ContainerPhase.PREPARING, null, null, false));
    assertThat(preparing.event()).isInstanceOf(EnvironmentEntity.DatasetsPreparing.class);
    assertThat(preparing.state().status()).isEqualTo(EnvironmentStatus.PREPARING);
    List<EnvironmentSpec.DatasetRef> resolved = List.of(new EnvironmentSpec.DatasetRef("images", "cifar", "train", "3"));
    entity.runCommand(report(ContainerPhase.BUILDING, null, null, false));
    entity.runCommand(new EnvironmentEntity.FromNode(new ContainerReport(
        NODE, ContainerPhase.STARTING, null, List.of(), null, false, "creating container", resolved)));
    entity.runCommand(report(ContainerPhase.RUNNING, "c1", null, false));

    var view = ((EnvironmentEntity.Ok) entity.runCommand(EnvironmentEntity.Get::new).reply()).view();
    assertThat(view.status()).isEqualTo(EnvironmentStatus.RUNNING);
    assertThat(view.datasets()).isEqualTo(resolved);
    assertThat(view.history()).extracting(EnvironmentView.HistoryEntry::status).containsExactly(
        EnvironmentStatus.REQUESTED, EnvironmentStatus.PLACED, EnvironmentStatus.PREPARING, EnvironmentStatus.BUILDING,
        EnvironmentStatus.STARTING, EnvironmentStatus.RUNNING);
    assertThat(view.history().get(2).message()).isEqualTo("fetching datasets into the node's cache");
  }

  @Test
  void historyMessagesNameTheNodeImageAndShortContainerIdAndTheTimesFrameThem() {
    create();
    runOn("0123456789abcdef0123456789abcdef");
    var view = ((EnvironmentEntity.Ok) entity.runCommand(EnvironmentEntity.Get::new).reply()).view();

    assertThat(view.history()).extracting(EnvironmentView.HistoryEntry::message).containsExactly(
        "requested", "placed on node " + NODE, "building image " + RECIPE.tag(), "starting container",
        "running as container 0123456789ab");
    assertThat(view.createdAt()).isEqualTo(view.history().get(0).at());
    assertThat(view.updatedAt()).isEqualTo(view.history().get(4).at());
    assertThat(view.updatedAt()).isAfterOrEqualTo(view.createdAt());
  }

  @Test
  void queuedThenPlacedWhenCapacityFrees() {
    create();
    var queued = entity.runCommand(new EnvironmentEntity.FromScheduler(new PlacementAnswer.Waiting(3, "no room")));
    assertThat(queued.state().status()).isEqualTo(EnvironmentStatus.QUEUED);
    assertThat(queued.state().queuePosition()).isEqualTo(3);
    var placed = entity.runCommand(new EnvironmentEntity.FromScheduler(new PlacementAnswer.Granted(NODE, List.of("GPU-1"))));
    assertThat(placed.state().status()).isEqualTo(EnvironmentStatus.PLACED);
    assertThat(placed.state().gpus()).containsExactly("GPU-1");
    assertThat(node.expectMessageClass(NodeProtocol.Deploy.class, WAIT).gpuUuids()).containsExactly("GPU-1");
  }

  @Test
  void refusedIsFailedWithTheReason() {
    create();
    var refused = entity.runCommand(new EnvironmentEntity.FromScheduler(new PlacementAnswer.Refused("asks for 64 GPUs but the largest node has 8")));
    assertThat(refused.state().status()).isEqualTo(EnvironmentStatus.FAILED);
    assertThat(refused.state().reason()).contains("64 GPUs");
  }

  @Test
  void outOfMemoryIsFailedAndSaysSo() {
    create();
    runOn("c1");
    var died = entity.runCommand(report(ContainerPhase.EXITED, "c1", 137, true));
    assertThat(died.state().status()).isEqualTo(EnvironmentStatus.FAILED);
    assertThat(died.state().reason()).contains("out of memory").contains("64 MiB");
  }

  /**
   * Its restart policy (always) starts an exited container again on its node once the back-off has
   * passed: the entity reminds itself through its shard, also after a restart of its own (the
   * reminder lives in memory; the restart due is in the journal: a {@link EnvironmentEntity.Wake}
   * starts an entity whose member crashed, see EnvironmentWaking).
   */
  @Test
  void anExitedContainerIsStartedAgainOnItsNodeAfterTheBackOffEvenAcrossARestartOfTheEntity() {
    create();
    runOn("c1");
    var died = entity.runCommand(report(ContainerPhase.EXITED, "c1", 3, false));
    assertThat(died.events()).extracting(e -> e.getClass().getSimpleName()).containsExactly("ContainerExited", "RestartScheduled");
    assertThat(died.state().status()).isEqualTo(EnvironmentStatus.FAILED);
    assertThat(died.state().reason()).isEqualTo("exited with code 3; restart 1 in 0s");
    assertThat(scheduler.expectMessageClass(Scheduler.Release.class, WAIT).environmentId())
        .as("it gives its place back while it waits").isEqualTo(id);
    EnvironmentEntity.RestartDue due = retries.expectMessageClass(EnvironmentEntity.RestartDue.class, WAIT);
    assertThat(due.dueAtMilli()).isEqualTo(died.state().view().restartAt().toEpochMilli());
    assertThat(entity.runCommand(report(ContainerPhase.EXITED, "c1", 3, false)).hasNoEvents())
        .as("the exit told again (after a member's removal) is no news").isTrue();
    assertThat(entity.runCommand(new EnvironmentEntity.Wake()).hasNoEvents()).as("a wake is a no-op").isTrue();

    entity.restart();
    assertThat(retries.expectMessageClass(EnvironmentEntity.RestartDue.class, WAIT)).as("reminded again after recovery").isEqualTo(due);

    var restarting = entity.runCommand(due);
    assertThat(restarting.event()).isEqualTo(new EnvironmentEntity.StartRequested(restarting.event().at(), null, 1));
    assertThat(scheduler.expectMessageClass(Scheduler.Place.class, WAIT).request().pinnedNode())
        .as("where its container is").isEqualTo(NODE);
    assertThat(entity.runCommand(due).hasNoEvents()).as("a reminder delivered twice restarts once").isTrue();
    entity.runCommand(new EnvironmentEntity.FromScheduler(new PlacementAnswer.Granted(NODE, List.of())));
    assertThat(node.expectMessageClass(NodeProtocol.Deploy.class, WAIT).environmentId()).isEqualTo(id);
    var running = entity.runCommand(report(ContainerPhase.RUNNING, "c1", null, false));
    assertThat(running.state().status()).isEqualTo(EnvironmentStatus.RUNNING);
    assertThat(running.state().view().restarts()).isEqualTo(1);
  }

  @Test
  void oneMountingAKeptVolumeIsPlacedOnlyWhereTheVolumeIsAndNeverRemovesIt() {
    String kept = "dcloud-n9-0b5e1c1e-7d1a-4a55-9d34-5d3c1e2f8a90-0";
    EnvironmentSpec spec = spec(64L << 20).withStorage(List.of(
        new VolumeSpec("/data", 1L << 30, Lifecycle.PERSISTENT, new EnvironmentSpec.KeptVolume(kept, NODE))));
    entity.<EnvironmentEntity.Reply>runCommand(replyTo -> new EnvironmentEntity.Create(spec, RECIPE, replyTo));
    assertThat(scheduler.expectMessageClass(Scheduler.Place.class, WAIT).request().pinnedNode())
        .as("where the volume is").isEqualTo(NODE);
    entity.runCommand(new EnvironmentEntity.FromScheduler(new PlacementAnswer.Granted(NODE, List.of())));
    assertThat(node.expectMessageClass(NodeProtocol.Deploy.class, WAIT).spec().storage().get(0).kept().name())
        .isEqualTo(kept);
    var running = entity.runCommand(report(ContainerPhase.RUNNING, "c1", null, false));
    assertThat(running.state().view().persistentVolumes()).containsExactly(kept);

    var deleting = entity.<EnvironmentEntity.Reply>runCommand(EnvironmentEntity.Delete::new);
    assertThat(node.expectMessageClass(NodeProtocol.RemoveContainer.class, WAIT).volumes())
        .as("a kept volume is never a temporary one").isEmpty();
    assertThat(deleting.state().status()).isNotEqualTo(EnvironmentStatus.RUNNING);
  }

  @Test
  void stopThenStartReusesTheContainer() {
    create();
    runOn("c1");
    var stopping = entity.<EnvironmentEntity.Reply>runCommand(EnvironmentEntity.Stop::new);
    assertThat(stopping.state().status()).isEqualTo(EnvironmentStatus.STOPPING);
    assertThat(node.expectMessageClass(NodeProtocol.StopContainer.class, WAIT).containerId()).isEqualTo("c1");
    var stopped = entity.runCommand(report(ContainerPhase.EXITED, "c1", 143, false));
    assertThat(stopped.state().status()).isEqualTo(EnvironmentStatus.STOPPED);
    assertThat(entity.<EnvironmentEntity.Reply>runCommand(EnvironmentEntity.Stop::new).hasNoEvents()).as("stop is idempotent").isTrue();

    assertThat(scheduler.expectMessageClass(Scheduler.Release.class, WAIT).environmentId())
        .as("a stopped environment gives its place back").isEqualTo(id);

    var starting = entity.<EnvironmentEntity.Reply>runCommand(EnvironmentEntity.Start::new);
    assertThat(starting.state().status()).isEqualTo(EnvironmentStatus.REQUESTED);
    assertThat(scheduler.expectMessageClass(Scheduler.Place.class, WAIT).request().pinnedNode())
        .as("restarted where its container is").isEqualTo(NODE);
    entity.runCommand(new EnvironmentEntity.FromScheduler(new PlacementAnswer.Granted(NODE, List.of())));
    assertThat(node.expectMessageClass(NodeProtocol.Deploy.class, WAIT).environmentId()).isEqualTo(id);
    var running = entity.runCommand(report(ContainerPhase.RUNNING, "c1", null, false));
    assertThat(running.state().containerId()).isEqualTo("c1");
  }

  @Test
  void aRestartStopsAndStartsTheSameContainerKeepingItsPlace() {
    create();
    runOn("c1");
    var restarting = entity.<EnvironmentEntity.Reply>runCommand(
        replyTo -> new EnvironmentEntity.Restart(replyTo, "alice", "10.0.0.7"));
    assertThat(restarting.event()).isEqualTo(new EnvironmentEntity.RestartRequested(restarting.event().at(), "alice", "10.0.0.7"));
    assertThat(restarting.state().status()).isEqualTo(EnvironmentStatus.STOPPING);
    assertThat(node.expectMessageClass(NodeProtocol.StopContainer.class, WAIT).containerId()).isEqualTo("c1");

    var stopped = entity.runCommand(report(ContainerPhase.EXITED, "c1", 143, false));
    assertThat(stopped.events()).hasSize(2);
    assertThat(stopped.state().status()).isEqualTo(EnvironmentStatus.REQUESTED);
    // No Release first: its place (and GPUs) stays reserved through the restart.
    assertThat(scheduler.expectMessageClass(Scheduler.Place.class, WAIT).request().pinnedNode()).isEqualTo(NODE);
    entity.runCommand(new EnvironmentEntity.FromScheduler(new PlacementAnswer.Granted(NODE, List.of())));
    assertThat(node.expectMessageClass(NodeProtocol.Deploy.class, WAIT).environmentId()).isEqualTo(id);
    var running = entity.runCommand(report(ContainerPhase.RUNNING, "c1", null, false));
    assertThat(running.state().status()).isEqualTo(EnvironmentStatus.RUNNING);
    assertThat(running.state().containerId()).isEqualTo("c1");

    entity.<EnvironmentEntity.Reply>runCommand(EnvironmentEntity.Delete::new);
    var refused = entity.<EnvironmentEntity.Reply>runCommand(replyTo -> new EnvironmentEntity.Restart(replyTo, "alice", null));
    assertThat(refused.hasNoEvents()).isTrue();
    assertThat(refused.reply()).isEqualTo(new EnvironmentEntity.Conflict("environment " + id + " is being deleted"));
  }

  @Test
  void aRunningEnvironmentGivenOtherGpusRestartsAndAsksForItsNewSizeOnItsNode() {
    create();
    runOn("c1");
    Resources bigger = new Resources(2000, 2L << 30, 1, 0, null);
    resizeAnswer.set(new Scheduler.ResizeAnswer(Scheduler.ResizeOutcome.RESTART, null));
    var resizing = entity.<EnvironmentEntity.Reply>runCommand(
        replyTo -> new EnvironmentEntity.Resize(bigger, replyTo, "alice", null));
    assertThat(scheduler.expectMessageClass(Scheduler.ResizeReservation.class, WAIT).resources()).isEqualTo(bigger);
    assertThat(resizing.events()).extracting(e -> e.getClass().getSimpleName())
        .containsExactly("ResizeAsked", "Resized", "RestartRequested");
    assertThat(resizing.state().status()).isEqualTo(EnvironmentStatus.STOPPING);
    assertThat(((EnvironmentEntity.Ok) resizing.reply()).view().spec().resources()).isEqualTo(bigger);
    assertThat(node.expectMessageClass(NodeProtocol.StopContainer.class, WAIT).containerId()).isEqualTo("c1");

    entity.runCommand(report(ContainerPhase.EXITED, "c1", 143, false));
    PlacementRequest request = scheduler.expectMessageClass(Scheduler.Place.class, WAIT).request();
    assertThat(request.resources()).isEqualTo(bigger);
    assertThat(request.pinnedNode()).isEqualTo(NODE);

    var again = entity.<EnvironmentEntity.Reply>runCommand(replyTo -> new EnvironmentEntity.Resize(bigger, replyTo, "alice", null));
    assertThat(again.hasNoEvents()).as("the size it has").isTrue();
    var waiting = entity.<EnvironmentEntity.Reply>runCommand(
        replyTo -> new EnvironmentEntity.Resize(new Resources(500, 1L << 30, 0, 0, null), replyTo, "alice", null));
    assertThat(waiting.reply()).isEqualTo(new EnvironmentEntity.Conflict(
        "environment " + id + " is REQUESTED: resize it once it runs or has stopped"));
  }

  @Test
  void aRunningEnvironmentResizedAsItRunsHasItsNodeChangeTheLimitsAgainUntilItSaysSo() {
    create();
    runOn("c1");
    Resources bigger = new Resources(2000, 2L << 30, 0, 0, null);
    resizeAnswer.set(new Scheduler.ResizeAnswer(Scheduler.ResizeOutcome.IN_PLACE, null));
    var resizing = entity.<EnvironmentEntity.Reply>runCommand(
        replyTo -> new EnvironmentEntity.Resize(bigger, replyTo, "alice", null));
    Scheduler.ResizeReservation weighed = scheduler.expectMessageClass(Scheduler.ResizeReservation.class, WAIT);
    assertThat(weighed.environmentId()).isEqualTo(id);
    assertThat(weighed.resources()).isEqualTo(bigger);
    assertThat(resizing.events()).extracting(e -> e.getClass().getSimpleName()).containsExactly("ResizeAsked", "Resized");
    assertThat(resizing.state().status()).as("its container keeps running").isEqualTo(EnvironmentStatus.RUNNING);
    assertThat(((EnvironmentEntity.Ok) resizing.reply()).view().spec().resources()).isEqualTo(bigger);
    NodeProtocol.UpdateLimits update = node.expectMessageClass(NodeProtocol.UpdateLimits.class, WAIT);
    assertThat(update).isEqualTo(new NodeProtocol.UpdateLimits(id, "c1", bigger));
    // No word from the node: its retry sends the limits again.
    entity.runCommand(retries.expectMessageClass(EnvironmentEntity.RetryTick.class, WAIT));
    assertThat(node.expectMessageClass(NodeProtocol.UpdateLimits.class, WAIT)).isEqualTo(update);

    var applied = entity.runCommand(new EnvironmentEntity.FromNode(new ContainerReport(
        NODE, ContainerPhase.RESIZED, "c1", List.of(), null, false, "limits changed", null, null, bigger)));
    assertThat(applied.event()).isEqualTo(new EnvironmentEntity.LimitsApplied(bigger, applied.event().at()));
    assertThat(applied.state().resizing()).isNull();
    node.expectNoMessage(Duration.ofMillis(100));
    scheduler.expectNoMessage(Duration.ofMillis(100));
  }

  @Test
  void aRunningEnvironmentItsNodeHasNoRoomForKeepsRunningAsItIs() {
    create();
    runOn("c1");
    resizeAnswer.set(new Scheduler.ResizeAnswer(Scheduler.ResizeOutcome.REFUSED, "node n1 has no room for it to grow: 1 core free, 2 more asked"));
    Resources before = entity.getState().spec().resources();
    var refused = entity.<EnvironmentEntity.Reply>runCommand(
        replyTo -> new EnvironmentEntity.Resize(new Resources(2500, 64L << 20, 0, 0, null), replyTo, "alice", null));
    assertThat(refused.events()).extracting(e -> e.getClass().getSimpleName()).containsExactly("ResizeAsked", "ResizeDeclined");
    assertThat(refused.reply()).isEqualTo(new EnvironmentEntity.Conflict("environment " + id + " cannot be resized now: "
        + "node n1 has no room for it to grow: 1 core free, 2 more asked; it keeps running as it is"));
    assertThat(refused.state().status()).isEqualTo(EnvironmentStatus.RUNNING);
    assertThat(refused.state().spec().resources()).isEqualTo(before);
    assertThat(refused.state().resizing()).isNull();
    assertThat(refused.state().resizeAsked()).isNull();
    assertThat(refused.state().history()).last().satisfies(entry -> assertThat(entry.message()).isEqualTo(
        "not resized to 2.5 cores, 64 MiB RAM: node n1 has no room for it to grow: 1 core free, 2 more asked"));
    node.expectNoMessage(Duration.ofMillis(100));
  }

  @Test
  void aResizeTheSchedulerDoesNotAnswerChangesNothingAndAsksItToHoldTheSpecsSizeAgain() {
    create();
    runOn("c1");
    Resources before = entity.getState().spec().resources();
    Resources bigger = new Resources(2000, 2L << 30, 0, 0, null);
    TestProbe<EnvironmentEntity.Reply> first = testKit.createTestProbe();
    // The scheduler stays silent (resizeAnswer null): the first resize waits for it ...
    entity.runCommand(new EnvironmentEntity.Resize(bigger, first.getRef(), "alice", null));
    assertThat(scheduler.expectMessageClass(Scheduler.ResizeReservation.class, WAIT).resources()).isEqualTo(bigger);
    // ... and another, meanwhile, is refused rather than weighed beside it.
    var second = entity.<EnvironmentEntity.Reply>runCommand(
        replyTo -> new EnvironmentEntity.Resize(new Resources(1000, 1L << 30, 0, 0, null), replyTo, "bob", null));
    assertThat(((EnvironmentEntity.Conflict) second.reply()).reason())
        .contains("is being resized: the scheduler is weighing 2 cores, 2 GiB RAM on its node");

    assertThat(first.expectMessageClass(EnvironmentEntity.TooLate.class, WAIT).reason()).isEqualTo("the scheduler did not weigh "
        + "the resize of environment " + id + " within 3000 ms; it keeps running as it is");
    // Its word may have been lost, not withheld: the size the spec says is asked for after it.
    Scheduler.ResizeReservation back = scheduler.expectMessageClass(Scheduler.ResizeReservation.class, WAIT);
    assertThat(back.resources()).isEqualTo(before);
    assertThat(entity.getState().spec().resources()).isEqualTo(before);
    assertThat(entity.getState().resizing()).isNull();
    assertThat(entity.getState().history()).last().satisfies(entry -> assertThat(entry.message())
        .isEqualTo("not resized to 2 cores, 2 GiB RAM: the scheduler did not weigh it within 3000 ms"));

    // Weighed again once answered.
    resizeAnswer.set(new Scheduler.ResizeAnswer(Scheduler.ResizeOutcome.IN_PLACE, null));
    var again = entity.<EnvironmentEntity.Reply>runCommand(replyTo -> new EnvironmentEntity.Resize(bigger, replyTo, "alice", null));
    assertThat(((EnvironmentEntity.Ok) again.reply()).view().spec().resources()).isEqualTo(bigger);
  }

  @Test
  void anEntityThatStopsBeforeTheSchedulersAnswerAsksAgainWhenItRecoversAndRecordsTheAnswer() {
    create();
    runOn("c1");
    Resources bigger = new Resources(2000, 2L << 30, 0, 0, null);
    TestProbe<EnvironmentEntity.Reply> asker = testKit.createTestProbe();
    entity.runCommand(new EnvironmentEntity.Resize(bigger, asker.getRef(), "alice", "10.0.0.7"));
    assertThat(scheduler.expectMessageClass(Scheduler.ResizeReservation.class, WAIT).resources()).isEqualTo(bigger);
    assertThat(entity.getState().resizeAsked().resources()).as("written before the scheduler was asked").isEqualTo(bigger);

    // Stopped (passivated, moved, its node lost) before the answer: the scheduler may hold the size already.
    entity.restart();
    Scheduler.ResizeReservation again = scheduler.expectMessageClass(Scheduler.ResizeReservation.class, WAIT);
    assertThat(again.resources()).isEqualTo(bigger);
    again.replyTo().tell(new Scheduler.ResizeAnswer(Scheduler.ResizeOutcome.IN_PLACE, null));

    assertThat(node.expectMessageClass(NodeProtocol.UpdateLimits.class, WAIT)).isEqualTo(new NodeProtocol.UpdateLimits(id, "c1", bigger));
    EnvironmentState resized = entity.getState();
    assertThat(resized.spec().resources()).isEqualTo(bigger);
    assertThat(resized.resizeAsked()).isNull();
    assertThat(resized.history()).last().satisfies(entry ->
        assertThat(entry.message()).isEqualTo("resized to 2 cores, 2 GiB RAM as it runs by alice"));
  }

  @Test
  void aResizeWhoseEnvironmentStopsWhileWeighedIsNotTakenAndItsAskerHearsWhy() {
    create();
    runOn("c1");
    Resources before = entity.getState().spec().resources();
    TestProbe<EnvironmentEntity.Reply> asker = testKit.createTestProbe();
    entity.runCommand(new EnvironmentEntity.Resize(new Resources(2000, 2L << 30, 0, 0, null), asker.getRef(), "alice", null));
    Scheduler.ResizeReservation weighed = scheduler.expectMessageClass(Scheduler.ResizeReservation.class, WAIT);
    entity.<EnvironmentEntity.Reply>runCommand(replyTo -> new EnvironmentEntity.Stop(replyTo));

    weighed.replyTo().tell(new Scheduler.ResizeAnswer(Scheduler.ResizeOutcome.IN_PLACE, null));
    assertThat(asker.expectMessageClass(EnvironmentEntity.Conflict.class, WAIT).reason())
        .isEqualTo("environment " + id + " is STOPPING: resize it once it runs or has stopped");
    assertThat(entity.getState().spec().resources()).as("its place, held at that size, is given back at the stop").isEqualTo(before);
    assertThat(entity.getState().resizeAsked()).isNull();
  }

  @Test
  void aReplicasReadinessChangesItsStateButAnnouncesNoStepAgain() {
    create();
    runOn("c1");
    updates.fishForMessage(WAIT, update -> update.toString().contains("running as container c1")
        ? FishingOutcomes.complete() : FishingOutcomes.continueAndIgnore());

    var ready = entity.runCommand(new EnvironmentEntity.FromNode(
        new ContainerReport(NODE, ContainerPhase.RUNNING, "c1", List.of(), null, false, "ready", null, true, null)));
    assertThat(ready.event()).isInstanceOf(EnvironmentEntity.ReadinessChanged.class);
    entity.<EnvironmentEntity.Reply>runCommand(replyTo -> new EnvironmentEntity.Stop(replyTo));
    // The stop's step is the next status watchers hear: the readiness wrote none, and repeats none.
    assertThat(updates.receiveMessage(WAIT).toString()).contains("status=STOPPING");
  }

  private static EnvironmentSpec replicaOfWeb() {
    EnvironmentSpec plain = spec(64L << 20);
    return new EnvironmentSpec(plain.name(), plain.version(), plain.os(), plain.osRelease(),
        plain.languages(), plain.resources(), plain.datasets(), plain.ports(), plain.storage(), plain.command(), plain.env(),
        plain.constraints(), plain.restartPolicy(), plain.secretEnv(), plain.idleTimeout(), new ServiceBinding("web", 8080, "/"));
  }

  @Test
  void aReplicaTellsItsServiceAtOnceWhenItsStatusOrReadinessChanges() {
    entity.<EnvironmentEntity.Reply>runCommand(replyTo -> new EnvironmentEntity.Create(replicaOfWeb(), RECIPE, replyTo));
    runOn("c1");
    replicaChanges.fishForMessage(WAIT, change -> change.view().status() == EnvironmentStatus.RUNNING
        ? FishingOutcomes.complete() : FishingOutcomes.continueAndIgnore());

    entity.runCommand(new EnvironmentEntity.FromNode(
        new ContainerReport(NODE, ContainerPhase.RUNNING, "c1", List.of(), null, false, "ready", null, true, null)));

    ReplicaChange ready = replicaChanges.receiveMessage(WAIT);
    assertThat(ready.service()).isEqualTo("web");
    assertThat(ready.view().id()).isEqualTo(id);
    assertThat(ready.view().ready()).isTrue();
  }

  @Test
  void anEnvironmentThatIsNoReplicaTellsNoService() {
    create();
    runOn("c1");
    entity.runCommand(new EnvironmentEntity.FromNode(
        new ContainerReport(NODE, ContainerPhase.RUNNING, "c1", List.of(), null, false, "ready", null, true, null)));

    replicaChanges.expectNoMessage(Duration.ofMillis(200));
  }

  @Test
  void aServicesReplicaIsNotResizedAlone() {
    entity.<EnvironmentEntity.Reply>runCommand(replyTo -> new EnvironmentEntity.Create(replicaOfWeb(), RECIPE, replyTo));
    var refused = entity.<EnvironmentEntity.Reply>runCommand(
        replyTo -> new EnvironmentEntity.Resize(new Resources(2000, 1L << 30, 0, 0, null), replyTo, "alice", null));
    assertThat(refused.hasNoEvents()).isTrue();
    assertThat(((EnvironmentEntity.Conflict) refused.reply()).reason()).contains("a replica of service web");
  }

  @Test
  void deleteRemovesTemporaryVolumesKeepsPersistentOnesAndReleasesThePlace() {
    create();
    runOn("c1");
    entity.<EnvironmentEntity.Reply>runCommand(EnvironmentEntity.Delete::new);
    NodeProtocol.RemoveContainer remove = node.expectMessageClass(NodeProtocol.RemoveContainer.class, WAIT);
    assertThat(remove.volumes()).containsExactly(EnvironmentNames.volumeName(NODE, id, 0));
    var deleted = entity.runCommand(report(ContainerPhase.REMOVED, "c1", null, false));
    assertThat(deleted.state().status()).isEqualTo(EnvironmentStatus.DELETED);
    assertThat(deleted.state().history().get(deleted.state().history().size() - 1).message())
        .contains(EnvironmentNames.volumeName(NODE, id, 1));
    assertThat(scheduler.expectMessageClass(Scheduler.Release.class, WAIT).environmentId()).isEqualTo(id);
    var again = entity.<EnvironmentEntity.Reply>runCommand(EnvironmentEntity.Delete::new);
    assertThat(again.hasNoEvents()).isTrue();
    assertThat(again.reply()).isInstanceOf(EnvironmentEntity.Ok.class);
  }

  @Test
  void deleteBeforePlacementNeedsNoNode() {
    create();
    var deleted = entity.<EnvironmentEntity.Reply>runCommand(EnvironmentEntity.Delete::new);
    assertThat(deleted.state().status()).isEqualTo(EnvironmentStatus.DELETED);
    assertThat(scheduler.expectMessageClass(Scheduler.Release.class, WAIT).environmentId()).isEqualTo(id);
  }

  @Test
  void aContainerThatVanishedIsFailedButAMissingOneBeforeDeployIsNot() {
    create();
    entity.runCommand(new EnvironmentEntity.FromScheduler(new PlacementAnswer.Granted(NODE, List.of())));
    assertThat(entity.runCommand(report(ContainerPhase.MISSING, null, null, false)).hasNoEvents()).isTrue();
    entity.runCommand(report(ContainerPhase.RUNNING, "c1", null, false));
    var vanished = entity.runCommand(report(ContainerPhase.MISSING, null, null, false));
    assertThat(vanished.state().status()).isEqualTo(EnvironmentStatus.FAILED);
    assertThat(vanished.state().reason()).contains("disappeared");
  }

  @Test
  void reportsFromAnotherNodeAreIgnored() {
    create();
    runOn("c1");
    var foreign = entity.runCommand(new EnvironmentEntity.FromNode(
        new ContainerReport("another-node", ContainerPhase.EXITED, "c9", List.of(), 1, false, "x")));
    assertThat(foreign.hasNoEvents()).isTrue();
  }

  @Test
  void sharingIsRecordedOnceInAnyStatusSurvivesRestartAndADeletedOneIsAConflict() {
    create();
    runOn("c1");
    var shared = entity.<EnvironmentEntity.Reply>runCommand(
        replyTo -> new EnvironmentEntity.Share(List.of("lab-b", "lab-a", "lab-b"), "alice", replyTo));
    assertThat(shared.event()).isInstanceOfSatisfying(EnvironmentEntity.SharedWith.class, event -> {
      assertThat(event.groups()).containsExactly("lab-a", "lab-b");
      assertThat(event.actor()).isEqualTo("alice");
    });
    assertThat(((EnvironmentEntity.Ok) shared.reply()).view().sharedWith()).containsExactly("lab-a", "lab-b");
    assertThat(shared.state().status()).isEqualTo(EnvironmentStatus.RUNNING);
    var again = entity.<EnvironmentEntity.Reply>runCommand(
        replyTo -> new EnvironmentEntity.Share(List.of("lab-a", "lab-b"), "alice", replyTo));
    assertThat(again.hasNoEvents()).isTrue();
    assertThat(entity.restart().state().sharedWith()).containsExactly("lab-a", "lab-b");

    entity.<EnvironmentEntity.Reply>runCommand(EnvironmentEntity.Delete::new);
    assertThat(entity.runCommand(report(ContainerPhase.REMOVED, "c1", null, false)).state().status())
        .isEqualTo(EnvironmentStatus.DELETED);
    var afterDeletion = entity.<EnvironmentEntity.Reply>runCommand(
        replyTo -> new EnvironmentEntity.Share(List.of(), "alice", replyTo));
    assertThat(afterDeletion.reply()).isInstanceOf(EnvironmentEntity.Conflict.class);
  }

  @Test
  void aContainerReportedRunningBeforeAnyStartingWritesBothStepsInOneCommand() {
    create();
    entity.runCommand(new EnvironmentEntity.FromScheduler(new PlacementAnswer.Granted(NODE, List.of())));
    node.expectMessageClass(NodeProtocol.Deploy.class, WAIT);

    var running = entity.runCommand(report(ContainerPhase.RUNNING, "c1", null, false));

    assertThat(running.events()).extracting(event -> event.getClass().getSimpleName())
        .containsExactly("ContainerStarting", "ContainerRunning");
    assertThat(running.state().status()).isEqualTo(EnvironmentStatus.RUNNING);
    assertThat(running.state().history()).extracting(EnvironmentView.HistoryEntry::status)
        .containsSubsequence(EnvironmentStatus.PLACED, EnvironmentStatus.STARTING, EnvironmentStatus.RUNNING);
    assertThat(entity.restart().state().containerId()).as("both written").isEqualTo("c1");
  }
}
