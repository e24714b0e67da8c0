package io.dcloud.environment;

import static org.assertj.core.api.Assertions.assertThat;

import io.dcloud.contracts.ImageRecipe;
import io.dcloud.environment.EnvironmentEntity.Event;
import io.dcloud.node.NodeProtocol.ContainerPhase;
import io.dcloud.node.NodeProtocol.ContainerReport;
import io.dcloud.resources.Resources;
import io.dcloud.spec.EnvironmentSpec;
import io.dcloud.spec.EnvironmentSpec.Lifecycle;
import io.dcloud.spec.EnvironmentSpec.RestartPolicy;
import io.dcloud.spec.EnvironmentSpec.VolumeSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The status × message table of docs/ARCHITECTURE.md, row by row: each status is reached by
 * folding the events that lead there, then each message is asked what it means.
 */
class TransitionsTest {
  private static final Instant AT = Instant.parse("2026-11-30T12:00:00Z");
  private static final String NODE = "n1";
  private static final EnvironmentSharding.RestartBackoff BACKOFF =
      new EnvironmentSharding.RestartBackoff(Duration.ofSeconds(10), Duration.ofMinutes(5), Duration.ofMinutes(10));

  private static EnvironmentSpec spec(RestartPolicy policy) {
    return new EnvironmentSpec("demo", "1", "debian", null, List.of(), new Resources(500, 1L << 30, 0, 0, null),
        List.of(), List.of(), List.of(new VolumeSpec("/scratch", 1L << 30, Lifecycle.TEMPORARY)),
        List.of(), Map.of(), Map.of(), policy);
  }

  /** The environment in {@code status}, reached the way a real one gets there. */
  private static EnvironmentState in(String status, RestartPolicy policy) {
    List<Event> path = switch (status) {
      case "REQUESTED" -> List.of();
      case "QUEUED" -> List.of(new EnvironmentEntity.QueuedForCapacity(1, "no room", AT));
      case "PLACED" -> List.of(placed());
      case "PREPARING" -> List.of(placed(), new EnvironmentEntity.DatasetsPreparing(AT));
      case "BUILDING" -> List.of(placed(), new EnvironmentEntity.ImageBuilding(AT));
      case "STARTING" -> List.of(placed(), new EnvironmentEntity.ContainerStarting(AT));
      case "RUNNING" -> List.of(placed(), running());
      case "STOPPING" -> List.of(placed(), running(), new EnvironmentEntity.StopRequested(AT));
      // STOPPING, to start again once stopped
      case "RESTARTING" -> List.of(placed(), running(), new EnvironmentEntity.RestartRequested(AT, "alice", null));
      case "STOPPED" -> List.of(placed(), running(), new EnvironmentEntity.StopRequested(AT),
          new EnvironmentEntity.Stopped("stopped on request", AT));
      case "FAILED" -> List.of(placed(), new EnvironmentEntity.DeploymentFailed("no image", AT));
      case "LOST" -> List.of(placed(), running(), new EnvironmentEntity.LostWithNode(NODE, AT));
      default -> throw new IllegalArgumentException(status);
    };
    EnvironmentState state = EnvironmentState.empty("e1")
        .apply(new EnvironmentEntity.Requested(spec(policy), new ImageRecipe("t", "b", "FROM b\n"), AT), 100);
    for (Event event : path) {
      state = state.apply(event, 100);
    }
    assertThat(state.status().name()).isEqualTo(status.equals("RESTARTING") ? "STOPPING" : status);
    return state;
  }

  private static Event placed() {
    return new EnvironmentEntity.PlacedOnNode(NODE, List.of(), AT);
  }

  private static Event running() {
    return new EnvironmentEntity.ContainerRunning("c1", List.of(), AT);
  }

  private static String outcome(Event event) {
    return event == null ? "-" : event.getClass().getSimpleName();
  }

  /** The events' kinds joined by '+', "-" for none. */
  private static String outcome(List<Event> events) {
    return events.isEmpty() ? "-" : String.join("+", events.stream().map(TransitionsTest::outcome).toList());
  }

  private static ContainerReport report(ContainerPhase phase, Integer exitCode, boolean oom) {
    return new ContainerReport(NODE, phase, phase == ContainerPhase.MISSING ? null : "c1", List.of(), exitCode, oom, "m");
  }

  @ParameterizedTest(name = "{0}: stop {1}, start {2}, delete {3}, restart {4}")
  @CsvSource({
    // status,  stop,          start,          delete,          restart
    "REQUESTED, Stopped,       -,              Deleted,         -",
    "QUEUED,    Stopped,       -,              Deleted,         -",
    "PLACED,    StopRequested, -,              DeleteRequested, RestartRequested",
    "PREPARING, StopRequested, -,              DeleteRequested, RestartRequested",
    "BUILDING,  StopRequested, -,              DeleteRequested, RestartRequested",
    "STARTING,  StopRequested, -,              DeleteRequested, RestartRequested",
    "RUNNING,   StopRequested, -,              DeleteRequested, RestartRequested",
    // A stop under way becomes a restart
    "STOPPING,  -,             -,              DeleteRequested, RestartRequested",
    "STOPPED,   -,             StartRequested, DeleteRequested, StartRequested",
    "FAILED,    -,             StartRequested, Deleted,         StartRequested",
    "LOST,      Stopped,       StartRequested, Deleted,         StartRequested",
  })
  void whatAUsersRequestMeans(String status, String stop, String start, String delete, String restart) {
    EnvironmentState state = in(status, RestartPolicy.ALWAYS);
    assertThat(outcome(Transitions.stop(state, AT, "alice"))).as("stop").isEqualTo(stop);
    assertThat(outcome(Transitions.start(state, AT, "alice"))).as("start").isEqualTo(start);
    assertThat(outcome(Transitions.delete(state, AT, "alice"))).as("delete").isEqualTo(delete);
    assertThat(outcome(Transitions.restart(state, AT, "alice", null))).as("restart").isEqualTo(restart);
  }

  @Test
  void aRestartStopsTheContainerAndStartsItAgainOnItsNodeOnceStopped() {
    EnvironmentEntity.Event requested = Transitions.restart(in("RUNNING", RestartPolicy.NEVER), AT, "alice", "10.0.0.7");
    assertThat(requested).isEqualTo(new EnvironmentEntity.RestartRequested(AT, "alice", "10.0.0.7"));
    EnvironmentState restarting = in("RUNNING", RestartPolicy.NEVER).apply(requested, 100);
    assertThat(restarting.status()).isEqualTo(EnvironmentStatus.STOPPING);
    assertThat(restarting.removal().removesContainer()).as("the container is kept").isFalse();
    assertThat(restarting.history()).last()
        .satisfies(entry -> assertThat(entry.message()).isEqualTo("restart requested by alice"));
    // Asked again while it stops: nothing more.
    assertThat(Transitions.restart(restarting, AT, "alice", null)).isNull();

    List<Event> stopped = Transitions.report(restarting, report(ContainerPhase.EXITED, 0, false), AT, BACKOFF);
    assertThat(outcome(stopped)).isEqualTo("Stopped+StartRequested");
    EnvironmentState again = restarting;
    for (Event event : stopped) {
      again = again.apply(event, 100);
    }
    assertThat(again.status()).isEqualTo(EnvironmentStatus.REQUESTED);
    assertThat(again.node()).as("pinned to its container's node").isEqualTo(NODE);
    assertThat(again.containerId()).isEqualTo("c1");
    assertThat(again.removal()).isEqualTo(EnvironmentState.Removal.NONE);
    assertThat(again.history()).extracting(EnvironmentView.HistoryEntry::message).endsWith(
        "restart requested by alice", "stopped to restart", "start requested: reserving its place on node n1");
    // A container that failed to stop ends the stop as a plain stop does, and the start still follows.
    assertThat(outcome(Transitions.report(restarting, report(ContainerPhase.FAILED, null, false), AT, BACKOFF)))
        .isEqualTo("Stopped+StartRequested");
  }

  @ParameterizedTest(name = "{0}: resize {1}, held by the scheduler {2}")
  @CsvSource({
    "REQUESTED, refused, refused", "QUEUED, refused, refused", "PLACED, refused, refused", "PREPARING, refused, refused",
    "BUILDING, refused, refused", "STARTING, refused, refused", "STOPPING, refused, refused",
    // Running: it restarts with them, or changes its limits as it runs where the scheduler holds them; stopped: its next start has them
    "RUNNING, Resized+RestartRequested, Resized", "STOPPED, Resized, Resized", "FAILED, Resized, Resized", "LOST, Resized, Resized",
  })
  void aResizeRestartsARunningOneOrChangesItAsItRunsAndWaitsForAStoppedOnesStart(String status, String resize, String inPlace) {
    Resources bigger = new Resources(2000, 2L << 30, 0, 1L << 30, null);
    List<Event> events = Transitions.resize(in(status, RestartPolicy.ALWAYS), bigger, false, AT, "alice", null);
    assertThat(events == null ? "refused" : outcome(events)).isEqualTo(resize);
    List<Event> held = Transitions.resize(in(status, RestartPolicy.ALWAYS), bigger, true, AT, "alice", null);
    assertThat(held == null ? "refused" : outcome(held)).isEqualTo(inPlace);
  }

  @Test
  void aResizeAsItRunsWaitsForItsNodesWordAndOneItCannotTakeRestarts() {
    EnvironmentState running = in("RUNNING", RestartPolicy.ALWAYS);
    Resources bigger = new Resources(2000, 2L << 30, 0, 1L << 30, null);
    EnvironmentState resizing = running.apply(Transitions.resize(running, bigger, true, AT, "alice", null).get(0), 100);
    assertThat(resizing.status()).isEqualTo(EnvironmentStatus.RUNNING);
    assertThat(resizing.resizing()).isTrue();
    assertThat(resizing.transitional()).as("its entity sends the limits again until its node says so").isTrue();
    assertThat(resizing.history()).last().satisfies(entry ->
        assertThat(entry.message()).isEqualTo("resized to 2 cores, 2 GiB RAM as it runs by alice"));
    // A word about limits since replaced changes nothing; the word about its own ends the resize.
    assertThat(Transitions.report(resizing, limits(ContainerPhase.RESIZED, running.spec().resources()), AT, BACKOFF)).isEmpty();
    List<Event> applied = Transitions.report(resizing, limits(ContainerPhase.RESIZED, bigger), AT, BACKOFF);
    assertThat(outcome(applied)).isEqualTo("LimitsApplied");
    EnvironmentState resized = resizing.apply(applied.get(0), 100);
    assertThat(resized.resizing()).isNull();
    assertThat(resized.transitional()).isFalse();
    assertThat(resized.status()).isEqualTo(EnvironmentStatus.RUNNING);
    assertThat(resized.history()).last().satisfies(entry ->
        assertThat(entry.message()).isEqualTo("its container's limits are now 2 cores, 2 GiB RAM"));
    assertThat(Transitions.report(resized, limits(ContainerPhase.RESIZED, bigger), AT, BACKOFF)).as("said once").isEmpty();

    // Limits its node cannot set as it runs: it restarts with them, its container kept.
    List<Event> refused = Transitions.report(resizing, limits(ContainerPhase.NOT_RESIZED, bigger), AT, BACKOFF);
    assertThat(outcome(refused)).isEqualTo("LimitsRefused");
    EnvironmentState restarting = resizing.apply(refused.get(0), 100);
    assertThat(restarting.status()).isEqualTo(EnvironmentStatus.STOPPING);
    assertThat(restarting.removal()).isEqualTo(EnvironmentState.Removal.RESTART);
    assertThat(restarting.resizing()).isNull();
    assertThat(restarting.history()).last().satisfies(entry -> assertThat(entry.message())
        .isEqualTo("its container's limits could not change as it runs (it uses 3 GiB): restarting with them"));
    assertThat(outcome(Transitions.report(restarting, report(ContainerPhase.EXITED, 0, false), AT, BACKOFF)))
        .isEqualTo("Stopped+StartRequested");

    // A container that exits meanwhile starts again with its spec's limits: nothing is awaited then.
    EnvironmentState exited = resizing.apply(new EnvironmentEntity.ContainerExited("c1", 1, false, "exited with code 1", AT), 100);
    assertThat(exited.resizing()).isNull();
    // GPUs are given to a container when it is created: a change of them restarts, whatever the scheduler holds.
    Resources withGpu = new Resources(2000, 2L << 30, 1, 1L << 30, null);
    assertThat(outcome(Transitions.resize(running, withGpu, true, AT, "alice", null))).isEqualTo("Resized+RestartRequested");
  }

  private static ContainerReport limits(ContainerPhase phase, Resources resources) {
    return new ContainerReport(NODE, phase, "c1", List.of(), null, false, "it uses 3 GiB", null, null, resources);
  }

  @Test
  void aResizeChangesTheSpecsResourcesAndSaysSoAndTheSameSizeIsNothing() {
    EnvironmentState stopped = in("STOPPED", RestartPolicy.ALWAYS);
    assertThat(Transitions.resize(stopped, stopped.spec().resources(), false, AT, "alice", null)).isEmpty();
    Resources bigger = new Resources(2000, 2L << 30, 1, 1L << 30, null);
    EnvironmentState resized = stopped.apply(Transitions.resize(stopped, bigger, false, AT, "alice", "10.0.0.7").get(0), 100);
    assertThat(resized.spec().resources()).isEqualTo(bigger);
    assertThat(resized.spec().name()).isEqualTo(stopped.spec().name());
    assertThat(resized.status()).isEqualTo(EnvironmentStatus.STOPPED);
    assertThat(resized.history()).last().satisfies(entry ->
        assertThat(entry.message()).isEqualTo("resized to 2 cores, 2 GiB RAM, 1 GPU by alice"));
  }

  @Test
  void aStopDuringARestartKeepsItStoppedAndADeletionWins() {
    EnvironmentState restarting = in("RUNNING", RestartPolicy.ALWAYS).apply(new EnvironmentEntity.RestartRequested(AT, "alice", null), 100);
    EnvironmentEntity.Event stop = Transitions.stop(restarting, AT, "bob");
    assertThat(outcome(stop)).isEqualTo("StopRequested");
    EnvironmentState stopping = restarting.apply(stop, 100);
    assertThat(outcome(Transitions.report(stopping, report(ContainerPhase.EXITED, 0, false), AT, BACKOFF))).isEqualTo("Stopped");
    // Stopping for good now: a second stop is nothing new.
    assertThat(Transitions.stop(stopping, AT, "bob")).isNull();

    EnvironmentState deleting = restarting.apply(Transitions.delete(restarting, AT, "bob"), 100);
    assertThat(deleting.deleting()).isTrue();
    assertThat(Transitions.restart(deleting, AT, "alice", null)).isNull();
    assertThat(outcome(Transitions.report(deleting, report(ContainerPhase.REMOVED, null, false), AT, BACKOFF))).isEqualTo("Deleted");
  }

  @Test
  void aUsersRequestNamesItsActorInTheEventAndTheHistory() {
    EnvironmentState running = in("RUNNING", RestartPolicy.ALWAYS);
    EnvironmentEntity.Event stop = Transitions.stop(running, AT, "alice");
    assertThat(stop).isEqualTo(new EnvironmentEntity.StopRequested(AT, "alice"));
    assertThat(running.apply(stop, 10).history()).last()
        .satisfies(entry -> assertThat(entry.message()).isEqualTo("stop requested by alice"));
    assertThat(Transitions.delete(in("FAILED", RestartPolicy.ALWAYS), AT, "bob"))
        .isEqualTo(new EnvironmentEntity.Deleted(AT, "bob"));
  }

  @Test
  void sharingKeepsTheStatusRecordsWhoSharedAndNoGroupsIsOneSharedEmptyList() {
    EnvironmentState running = in("RUNNING", RestartPolicy.ALWAYS);
    EnvironmentState shared = running.apply(new EnvironmentEntity.SharedWith(List.of("lab-a"), "alice", AT), 10);
    assertThat(shared.status()).isEqualTo(EnvironmentStatus.RUNNING);
    assertThat(shared.view().sharedWith()).containsExactly("lab-a");
    assertThat(shared.history()).last()
        .satisfies(entry -> assertThat(entry.message()).isEqualTo("shared with groups lab-a by alice"));
    EnvironmentState unshared = shared.apply(new EnvironmentEntity.SharedWith(List.of(), "admin", AT), 10);
    assertThat(unshared.sharedWith()).isSameAs(running.sharedWith()).isEmpty();
    assertThat(unshared.history()).last()
        .satisfies(entry -> assertThat(entry.message()).isEqualTo("no longer shared by admin"));
  }

  @ParameterizedTest(name = "{0}: building {1}, starting {2}, running {3}, exited {4}, removed {5}, failed {6}, missing {7}")
  @CsvSource({
    // status,  BUILDING,      STARTING,          RUNNING,          EXITED,          REMOVED,          FAILED,           MISSING
    // RUNNING before any STARTING (dcloud.node.starting-report-delay): both steps, in one write
    "PLACED,    ImageBuilding, ContainerStarting, ContainerStarting+ContainerRunning, -, DeploymentFailed, DeploymentFailed, -",
    "PREPARING, ImageBuilding, ContainerStarting, ContainerStarting+ContainerRunning, -, DeploymentFailed, DeploymentFailed, -",
    "BUILDING,  -,             ContainerStarting, ContainerStarting+ContainerRunning, -, DeploymentFailed, DeploymentFailed, -",
    // An exit by itself: its restart policy (always) starts it again
    "STARTING,  -,             -,                 ContainerRunning, ContainerExited+RestartScheduled, DeploymentFailed, DeploymentFailed, -",
    "RUNNING,   -,             -,                 -,                ContainerExited+RestartScheduled, DeploymentFailed, DeploymentFailed, DeploymentFailed",
    "STOPPING,  -,             -,                 -,                Stopped,         DeploymentFailed, Stopped,          DeploymentFailed",
    "RESTARTING, -,            -,                 -,                Stopped+StartRequested, DeploymentFailed, Stopped+StartRequested, DeploymentFailed",
  })
  void whatANodesReportMeans(
      String status, String building, String starting, String running, String exited, String removed, String failed,
      String missing) {
    EnvironmentState state = in(status, RestartPolicy.ALWAYS);
    assertThat(outcome(Transitions.report(state, report(ContainerPhase.BUILDING, null, false), AT, BACKOFF))).as("BUILDING").isEqualTo(building);
    assertThat(outcome(Transitions.report(state, report(ContainerPhase.STARTING, null, false), AT, BACKOFF))).as("STARTING").isEqualTo(starting);
    assertThat(outcome(Transitions.report(state, report(ContainerPhase.RUNNING, null, false), AT, BACKOFF))).as("RUNNING").isEqualTo(running);
    assertThat(outcome(Transitions.report(state, report(ContainerPhase.EXITED, 1, false), AT, BACKOFF))).as("EXITED").isEqualTo(exited);
    assertThat(outcome(Transitions.report(state, report(ContainerPhase.REMOVED, null, false), AT, BACKOFF))).as("REMOVED").isEqualTo(removed);
    assertThat(outcome(Transitions.report(state, report(ContainerPhase.FAILED, null, false), AT, BACKOFF))).as("FAILED").isEqualTo(failed);
    assertThat(outcome(Transitions.report(state, report(ContainerPhase.MISSING, null, false), AT, BACKOFF))).as("MISSING").isEqualTo(missing);
  }

  @Test
  void aContainerRunningBeforeItsStartingReportRecordsBothStepsAndItsDatasets() {
    List<EnvironmentSpec.DatasetRef> resolved = List.of(new EnvironmentSpec.DatasetRef("images", "cifar", "train", "3"));
    EnvironmentState preparing = in("PREPARING", RestartPolicy.ALWAYS);
    List<Event> events = Transitions.report(preparing, new ContainerReport(NODE, ContainerPhase.RUNNING, "c1", List.of(),
        null, false, "running", resolved), AT, BACKOFF);
    assertThat(events).containsExactly(
        new EnvironmentEntity.ContainerStarting(AT, resolved), new EnvironmentEntity.ContainerRunning("c1", List.of(), AT));

    EnvironmentState running = preparing;
    for (Event event : events) {
      running = running.apply(event, 100);
    }
    assertThat(running.status()).isEqualTo(EnvironmentStatus.RUNNING);
    assertThat(running.view().datasets()).isEqualTo(resolved);
    assertThat(running.history()).extracting(EnvironmentView.HistoryEntry::status).containsSubsequence(
        EnvironmentStatus.PREPARING, EnvironmentStatus.STARTING, EnvironmentStatus.RUNNING);
  }

  @ParameterizedTest(name = "{0}: preparing {1}")
  @CsvSource({
    "PLACED,    DatasetsPreparing",
    "PREPARING, -",
    "BUILDING,  -",
    "STARTING,  -",
    "RUNNING,   -",
    "STOPPING,  -",
  })
  void aNodeFetchingDatasetsMakesAPlacedEnvironmentPreparing(String status, String preparing) {
    EnvironmentState state = in(status, RestartPolicy.ALWAYS);
    assertThat(outcome(Transitions.report(state, report(ContainerPhase.PREPARING, null, false), AT, BACKOFF))).isEqualTo(preparing);
  }

  @Test
  void theStartingReportRecordsTheVersionsTheContainerMountsUntilItIsGone() {
    List<EnvironmentSpec.DatasetRef> resolved = List.of(new EnvironmentSpec.DatasetRef("images", "cifar", "train", "3"));
    EnvironmentState preparing = in("PREPARING", RestartPolicy.ALWAYS);
    Event starting = Transitions.report(preparing, new ContainerReport(NODE, ContainerPhase.STARTING, null, List.of(), null,
        false, "creating container", resolved), AT, BACKOFF).get(0);
    assertThat(starting).isEqualTo(new EnvironmentEntity.ContainerStarting(AT, resolved));

    EnvironmentState running = preparing.apply(starting, 100).apply(running(), 100);
    assertThat(running.view().datasets()).isEqualTo(resolved);
    assertThat(running.history()).extracting(EnvironmentView.HistoryEntry::status).containsSubsequence(
        EnvironmentStatus.PLACED, EnvironmentStatus.PREPARING, EnvironmentStatus.STARTING, EnvironmentStatus.RUNNING);
    assertThat(running.apply(new EnvironmentEntity.DeploymentFailed("gone", AT), 100).view().datasets()).isNull();
  }

  @Test
  void removingForDeletionOrRelocationEndsWhenTheContainerIsGone() {
    EnvironmentState deleting = in("RUNNING", RestartPolicy.ALWAYS).apply(new EnvironmentEntity.DeleteRequested(AT), 100);
    assertThat(outcome(Transitions.report(deleting, report(ContainerPhase.REMOVED, null, false), AT, BACKOFF))).isEqualTo("Deleted");
    assertThat(outcome(Transitions.report(deleting, report(ContainerPhase.MISSING, null, false), AT, BACKOFF))).isEqualTo("Deleted");
    EnvironmentState moving = in("RUNNING", RestartPolicy.ALWAYS).apply(new EnvironmentEntity.RelocationRequested(NODE, AT), 100);
    assertThat(outcome(Transitions.report(moving, report(ContainerPhase.REMOVED, null, false), AT, BACKOFF))).isEqualTo("Relocated");
    assertThat(outcome(Transitions.report(moving, report(ContainerPhase.MISSING, null, false), AT, BACKOFF))).isEqualTo("Relocated");
  }

  @Test
  void anOutOfMemoryExitSaysSoWithTheLimit() {
    var exited = (EnvironmentEntity.ContainerExited) Transitions.report(
        in("RUNNING", RestartPolicy.ALWAYS), report(ContainerPhase.EXITED, 137, true), AT, BACKOFF).get(0);
    assertThat(exited.reason()).isEqualTo("killed: out of memory (limit 1 GiB)");
  }

  @ParameterizedTest(name = "{0}, exit code {1}, out of memory {2}: restarted {3}")
  @CsvSource({
    "ALWAYS,     0,   false, true",
    "ALWAYS,     1,   false, true",
    "ON_FAILURE, 0,   false, false",
    "ON_FAILURE, 3,   false, true",
    "ON_FAILURE, 137, true,  true",
    "NEVER,      1,   false, false",
  })
  void theRestartPolicyDecidesWhichExitsAreStartedAgain(RestartPolicy policy, int exitCode, boolean oom, boolean restarted) {
    List<Event> events = Transitions.report(in("RUNNING", policy), report(ContainerPhase.EXITED, exitCode, oom), AT, BACKOFF);
    assertThat(outcome(events)).isEqualTo(restarted ? "ContainerExited+RestartScheduled" : "ContainerExited");
  }

  @Test
  void aServicesReplicaThatExitsIsLeftToItsServiceToReplace() {
    EnvironmentSpec replica = new EnvironmentSpec("demo", "1", "debian", null, List.of(), new Resources(500, 1L << 30, 0, 0, null),
        List.of(), List.of(), List.of(), List.of(), Map.of(), Map.of(), RestartPolicy.ALWAYS, Map.of(), null,
        new io.dcloud.spec.ServiceBinding("iris", 8080, "/ready"));
    EnvironmentState running = EnvironmentState.empty("e1")
        .apply(new EnvironmentEntity.Requested(replica, new ImageRecipe("t", "b", "FROM b\n"), AT), 100)
        .apply(placed(), 100).apply(running(), 100);
    assertThat(outcome(Transitions.report(running, report(ContainerPhase.EXITED, 1, false), AT, BACKOFF)))
        .isEqualTo("ContainerExited");
  }

  /**
   * A container that fails again and again waits twice as long each time, up to the longest wait;
   * one that ran long enough before it exited starts the count over. Each restart is due on the
   * same node, with its container, and says so in the history and the view.
   */
  @Test
  void restartsInARowWaitLongerAndStartOverAfterALongRun() {
    EnvironmentState state = in("RUNNING", RestartPolicy.ALWAYS);
    Instant at = AT;
    List<Long> waits = new java.util.ArrayList<>();
    for (int restart = 1; restart <= 7; restart++) {
      at = at.plusSeconds(1);
      state = exit(state, at);
      assertThat(state.status()).isEqualTo(EnvironmentStatus.FAILED);
      EnvironmentView failed = state.view();
      assertThat(failed.restarts()).as("made so far").isEqualTo(restart == 1 ? null : restart - 1);
      waits.add(Duration.between(at, failed.restartAt()).toSeconds());
      at = failed.restartAt();
      assertThat(Transitions.restartDue(state, at.toEpochMilli() - 1, at)).as("a reminder of another restart").isNull();
      EnvironmentEntity.StartRequested due = Transitions.restartDue(state, at.toEpochMilli(), at);
      assertThat(due).isEqualTo(new EnvironmentEntity.StartRequested(at, null, restart));
      state = state.apply(due, 100);
      assertThat(state.status()).isEqualTo(EnvironmentStatus.REQUESTED);
      assertThat(state.history()).last().satisfies(entry -> assertThat(entry.message())
          .endsWith("by its restart policy always: reserving its place on node n1"));
      assertThat(state.view().restartAt()).isNull();
      assertThat(state.view().restarts()).isEqualTo(restart);
      state = state.apply(new EnvironmentEntity.PlacedOnNode(NODE, List.of(), at), 100)
          .apply(new EnvironmentEntity.ContainerRunning("c1", List.of(), at), 100);
    }
    assertThat(waits).containsExactly(10L, 20L, 40L, 80L, 160L, 300L, 300L);

    state = exit(state, at.plus(BACKOFF.resetAfter()));
    assertThat(state.view().restarts()).as("every restart, though none in a row after a run of reset-after").isEqualTo(7);
    assertThat(state.reason()).isEqualTo("exited with code 1; restart 1 in 10s");
    EnvironmentEntity.StartRequested first = Transitions.restartDue(state, state.view().restartAt().toEpochMilli(), at);
    assertThat(first.restart()).isEqualTo(1);
    assertThat(state.apply(first, 100).view().restarts()).as("the eighth, the first in a row").isEqualTo(8);
  }

  @Test
  void stoppingCallsOffTheRestartAndAStartByItsOwnerBeginsTheCountAgain() {
    EnvironmentState pending = exit(in("RUNNING", RestartPolicy.ON_FAILURE), AT);
    long dueAt = pending.view().restartAt().toEpochMilli();

    EnvironmentEntity.Event stop = Transitions.stop(pending, AT, "alice");
    assertThat(stop).isEqualTo(new EnvironmentEntity.Stopped("stopped by alice: its restart is off", AT, "alice", null));
    EnvironmentState stopped = pending.apply(stop, 100);
    assertThat(stopped.status()).isEqualTo(EnvironmentStatus.STOPPED);
    assertThat(stopped.view().restartAt()).isNull();
    assertThat(Transitions.restartDue(stopped, dueAt, AT)).as("the reminder comes all the same").isNull();
    assertThat(Transitions.stop(stopped, AT, "alice")).as("stopped already").isNull();

    EnvironmentState started = pending.apply(Transitions.start(pending, AT, "alice"), 100);
    assertThat(started.status()).isEqualTo(EnvironmentStatus.REQUESTED);
    assertThat(started.view().restarts()).isNull();
    assertThat(Transitions.restartDue(started, dueAt, AT)).isNull();
    EnvironmentState deleting = pending.apply(Transitions.delete(pending, AT, "alice"), 100);
    assertThat(Transitions.restartDue(deleting, dueAt, AT)).isNull();
  }

  /** The exit with code 1 of its running container, at {@code at}, and what its policy makes of it. */
  private static EnvironmentState exit(EnvironmentState running, Instant at) {
    for (Event event : Transitions.report(running, report(ContainerPhase.EXITED, 1, false), at, BACKOFF)) {
      running = running.apply(event, 100);
    }
    return running;
  }

  @Test
  void aLostNodeRestartsPerPolicyAndOnlyForItsOwnNode() {
    assertThat(Transitions.nodeGone(in("RUNNING", RestartPolicy.ALWAYS), NODE, AT)).extracting(TransitionsTest::outcome)
        .containsExactly("LostWithNode", "Rescheduled");
    assertThat(Transitions.nodeGone(in("RUNNING", RestartPolicy.NEVER), NODE, AT)).extracting(TransitionsTest::outcome)
        .containsExactly("LostWithNode");
    assertThat(Transitions.nodeGone(in("STOPPED", RestartPolicy.ALWAYS), NODE, AT)).extracting(TransitionsTest::outcome)
        .containsExactly("LostWithNode");
    assertThat(Transitions.nodeGone(in("RUNNING", RestartPolicy.ALWAYS), "another", AT)).isEmpty();
    assertThat(Transitions.nodeGone(in("LOST", RestartPolicy.ALWAYS), NODE, AT)).isEmpty();
    EnvironmentState deleting = in("RUNNING", RestartPolicy.ALWAYS).apply(new EnvironmentEntity.DeleteRequested(AT), 100);
    assertThat(Transitions.nodeGone(deleting, NODE, AT)).extracting(TransitionsTest::outcome).containsExactly("Deleted");
  }

  @Test
  void aPlacementsReasonIsInTheHistory() {
    EnvironmentState placed = in("REQUESTED", RestartPolicy.ALWAYS).apply(new EnvironmentEntity.PlacedOnNode(
        NODE, List.of(), AT, "holds dataset images/cifar/train v3 in its cache"), 100);

    assertThat(placed.history().get(placed.history().size() - 1).message())
        .isEqualTo("placed on node n1: holds dataset images/cifar/train v3 in its cache");
    assertThat(in("PLACED", RestartPolicy.ALWAYS).history().get(1).message()).isEqualTo("placed on node n1");
  }
}
