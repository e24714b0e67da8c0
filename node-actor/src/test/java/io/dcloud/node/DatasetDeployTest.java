package io.dcloud.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.dcloud.contracts.ImageRecipe;
import io.dcloud.deploy.ContainerRuntime;
import io.dcloud.deploy.ScriptedRuntime;
import io.dcloud.node.NodeProtocol.ContainerPhase;
import io.dcloud.node.NodeProtocol.ContainerReport;
import io.dcloud.resources.Resources;
import io.dcloud.spec.EnvironmentSpec;
import io.dcloud.spec.EnvironmentSpec.DatasetRef;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A deploy of an environment with datasets: PREPARING (with its bytes) only when the node fetches,
 * before any image build; the STARTING report names the versions mounted; a deploy that leaves no
 * container lets go of them.
 */
class DatasetDeployTest {
  private static final ImageRecipe RECIPE = new ImageRecipe("dcloud/env-tiny:0123456789abcdef", "busybox", "FROM busybox\n");
  private static final DatasetRef ASKED = new DatasetRef("images", "cifar", "train", "latest");
  private static final DatasetRef RESOLVED = new DatasetRef("images", "cifar", "train", "3");

  /** What the node told the cluster, in order: reports by phase, progress lines as they are. */
  private final List<String> told = new CopyOnWriteArrayList<>();
  private final List<ContainerReport> reports = new CopyOnWriteArrayList<>();
  /** Runs as each report begins, on the reporting thread. */
  private volatile Runnable reportBegins = () -> {};
  private final NodePeers peers = new NodePeers() {
    @Override
    public void report(String environmentId, ContainerReport report) {
      reportBegins.run();
      reports.add(report);
      told.add(report.phase().name());
    }

    @Override
    public void progress(String environmentId, String line) {
      told.add(line);
    }

    @Override
    public CompletionStage<Claim> claim(String environmentId, String nodeId) {
      return CompletableFuture.completedFuture(new Claim(true, List.of(), null));
    }

    @Override
    public CompletionStage<Boolean> stop(String environmentId, String reason) {
      return CompletableFuture.completedFuture(false);
    }

    @Override
    public CompletionStage<List<String>> placedOn(String nodeId) {
      return CompletableFuture.completedFuture(List.of());
    }
  };

  /** Datasets of 4096 bytes, fetched (with progress) or already held; records who lets go. */
  private static final class FakeMounts implements DatasetMounts {
    final boolean cached;
    final List<String> released = new ArrayList<>();

    FakeMounts(boolean cached) {
      this.cached = cached;
    }

    @Override
    public Prepared prepare(String environmentId, List<DatasetRef> datasets, Progress progress) {
      if (!cached) {
        progress.fetched(0, 4096);
        progress.fetched(4096, 4096);
      }
      return new Prepared(List.of(new ContainerRuntime.BindMount("/cache/abc/data", DatasetMounts.target(ASKED))),
          List.of(RESOLVED));
    }

    @Override
    public void release(String environmentId) {
      released.add(environmentId);
    }

    @Override
    public Set<String> cachedVersions() {
      return Set.of();
    }
  }

  private static NodeProtocol.Deploy deploy() {
    EnvironmentSpec spec = new EnvironmentSpec("data", "1", "tiny", null, List.of(), new Resources(500, 64L << 20, 0, 0, null),
        List.of(ASKED), List.of(), List.of(), List.of(), Map.of(), Map.of(), EnvironmentSpec.RestartPolicy.NEVER);
    return new NodeProtocol.Deploy("env-d", spec, RECIPE, List.of(), "alice");
  }

  /** STARTING reported at once (as with a delay that passes before the container runs). */
  private ContainerOperations operations(ScriptedRuntime runtime, DatasetMounts mounts) {
    return new ContainerOperations(SecretEnvDeployTest.settings("n1", null), runtime, peers, mounts, ContainerOperations.Later.NOW);
  }

  /** The STARTING report's delay (dcloud.node.starting-report-delay, 500 ms here) as a task the test holds. */
  private final List<Runnable> heldStarting = new ArrayList<>();
  private final List<Boolean> startingCancelled = new ArrayList<>();

  private ContainerOperations delayingStarting(ScriptedRuntime runtime) {
    ContainerOperations.Later held = (delay, task) -> {
      assertThat(delay).isEqualTo(Duration.ofMillis(500));
      heldStarting.add(task);
      return () -> {
        startingCancelled.add(true);
        return true;
      };
    };
    return new ContainerOperations(SecretEnvDeployTest.settings("n1", null), runtime, peers, new FakeMounts(true), held);
  }

  @Test
  void aContainerRunningBeforeItsStartingReportIsDueIsReportedRunningAloneNamingItsDatasets() {
    ContainerOperations.Outcome outcome = delayingStarting(new ScriptedRuntime(RECIPE.tag())).deploy(deploy());

    assertThat(told).as("nothing before the outcome").isEmpty();
    assertThat(startingCancelled).containsExactly(true);
    assertThat(outcome.report().phase()).isEqualTo(ContainerPhase.RUNNING);
    assertThat(outcome.report().datasets()).containsExactly(RESOLVED);
  }

  @Test
  void aContainerThatExitsAtOnceIsReportedStartingFirstSoTheExitCounts() {
    ScriptedRuntime runtime = new ScriptedRuntime(RECIPE.tag());
    // The container's command ends as soon as it starts, before the node inspects it.
    runtime.watchEvents(event -> {
      if (event.action().equals("start")) {
        runtime.exit(event.containerId(), 1, false);
      }
    });
    ContainerOperations.Outcome outcome = delayingStarting(runtime).deploy(deploy());

    assertThat(outcome.report().phase()).isEqualTo(ContainerPhase.EXITED);
    assertThat(told).containsExactly("STARTING");
  }

  @Test
  void aStartingReportTheTimerBeganAsTheContainerCameUpIsMadeBeforeTheDeployAnswers() throws Exception {
    CountDownLatch startingBegun = new CountDownLatch(1);
    CountDownLatch startingMayEnd = new CountDownLatch(1);
    reportBegins = () -> {
      if (Thread.currentThread().getName().equals("timer")) {
        startingBegun.countDown();
        awaitQuietly(startingMayEnd);
      }
    };
    // The timer fires just as the deploy cancels it: its task has begun on the timer's thread, so the
    // timer's own cancel answers false, as Pekko's scheduler does.
    ContainerOperations.Later firing = (delay, task) -> () -> {
      new Thread(task, "timer").start();
      awaitQuietly(startingBegun);
      return false;
    };
    ContainerOperations operations = new ContainerOperations(
        SecretEnvDeployTest.settings("n1", null), new ScriptedRuntime(RECIPE.tag()), peers, new FakeMounts(true), firing);
    FutureTask<ContainerOperations.Outcome> deploying = new FutureTask<>(() -> operations.deploy(deploy()));
    Thread deployer = new Thread(deploying, "deployer");
    deployer.start();

    await().atMost(Duration.ofSeconds(10))
        .until(() -> deploying.isDone() || deployer.getState() == Thread.State.BLOCKED);
    assertThat(deploying.isDone()).as("answered while its STARTING was still being reported").isFalse();
    startingMayEnd.countDown();
    ContainerOperations.Outcome outcome = deploying.get(10, TimeUnit.SECONDS);

    assertThat(told).containsExactly("STARTING");
    assertThat(outcome.report().phase()).isEqualTo(ContainerPhase.RUNNING);
  }

  private static void awaitQuietly(CountDownLatch latch) {
    try {
      assertThat(latch.await(10, TimeUnit.SECONDS)).isTrue();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  @Test
  void aStartThatFailsCancelsTheStartingReport() {
    ScriptedRuntime runtime = new ScriptedRuntime(RECIPE.tag());
    runtime.fail("create", new IllegalStateException("engine says no"));

    assertThatThrownBy(() -> delayingStarting(runtime).deploy(deploy())).hasMessageContaining("engine says no");
    assertThat(startingCancelled).containsExactly(true);
    assertThat(told).isEmpty();
  }

  @Test
  void aFetchIsPreparingWithItsBytesBeforeTheBuildAndTheStartNamesTheResolvedVersions() {
    ScriptedRuntime runtime = new ScriptedRuntime(); // no image yet: it is built after the fetch
    ContainerOperations.Outcome outcome = operations(runtime, new FakeMounts(false)).deploy(deploy());

    assertThat(outcome.report().phase()).isEqualTo(ContainerPhase.RUNNING);
    assertThat(told).containsSubsequence("PREPARING", DatasetFetchLine.of(0, 4096), DatasetFetchLine.of(4096, 4096),
        "BUILDING", "STARTING");
    assertThat(reports).filteredOn(report -> report.phase() == ContainerPhase.STARTING).singleElement()
        .satisfies(starting -> assertThat(starting.datasets()).containsExactly(RESOLVED));
    assertThat(runtime.specOf(outcome.containerId()).orElseThrow().binds())
        .containsExactly(new ContainerRuntime.BindMount("/cache/abc/data", "/datasets/images/cifar/train"));
  }

  @Test
  void cachedDatasetsGoStraightOn() {
    operations(new ScriptedRuntime(RECIPE.tag()), new FakeMounts(true)).deploy(deploy());

    assertThat(told).containsExactly("STARTING");
  }

  @Test
  void aDeployThatLeavesNoContainerLetsGoOfItsDatasets() {
    ScriptedRuntime runtime = new ScriptedRuntime(RECIPE.tag());
    runtime.fail("create", new IllegalStateException("engine says no"));
    FakeMounts mounts = new FakeMounts(true);

    assertThatThrownBy(() -> operations(runtime, mounts).deploy(deploy())).hasMessageContaining("engine says no");
    assertThat(mounts.released).containsExactly("env-d");
  }
}
