package io.dcloud.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dcloud.contracts.EnvironmentNames;
import io.dcloud.deploy.ContainerRuntime.ContainerEvent;
import io.dcloud.deploy.ContainerRuntime.ContainerInfo;
import io.dcloud.deploy.ContainerRuntime.ContainerSpec;
import io.dcloud.deploy.ContainerRuntime.ExecResult;
import io.dcloud.deploy.ContainerRuntime.VolumeMount;
import io.dcloud.deploy.ContainerRuntime.VolumeRemoval;
import java.io.Closeable;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

/**
 * What a NodeActor relies on from any {@link ContainerRuntime}: run against DockerRuntime (the
 * real engine) and against {@link ScriptedRuntime} (which node tests script), so a behaviour the
 * node tests see from the scripted engine is one Docker has too.
 */
abstract class ContainerRuntimeContract {
  private static final Duration EVENT_TIMEOUT = Duration.ofSeconds(30);
  private static final Duration EXEC_TIMEOUT = Duration.ofSeconds(30);

  protected abstract ContainerRuntime runtime();

  /** A name unique to this test run (containers, nodes, volumes). */
  protected abstract String name(String suffix);

  /** A container that idles until stopped, labelled as environment {@code name(suffix)} on {@code nodeId}. */
  protected abstract ContainerSpec idleSpec(String suffix, String nodeId, List<VolumeMount> volumes);

  protected abstract boolean volumeExists(String name);

  /** Waits (bounded) until the container's state matches; an engine may take a moment to get there. */
  protected abstract ContainerInfo awaitContainer(String containerId, Predicate<ContainerInfo> condition);

  @Test
  void aCreatedContainerRunsOnceStartedUnderItsNameAndLabels() {
    ContainerSpec spec = idleSpec("runs", name("node"), List.of());

    String id = runtime().create(spec);
    assertThat(runtime().inspect(id)).get().satisfies(info -> {
      assertThat(info.running()).isFalse();
      assertThat(info.state()).isEqualTo("created");
    });
    runtime().start(id);
    runtime().start(id);

    ContainerInfo running = awaitContainer(id, ContainerInfo::running);
    assertThat(running.state()).isEqualTo("running");
    assertThat(running.name()).isEqualTo(spec.name());
    assertThat(running.labels()).containsAllEntriesOf(spec.labels());
    assertThat(runtime().inspect(spec.name())).get().extracting(ContainerInfo::id).isEqualTo(id);
  }

  @Test
  void aStoppedContainerHasExitedWithAnExitCode() {
    String id = runtime().create(idleSpec("stops", name("node"), List.of()));
    runtime().start(id);
    awaitContainer(id, ContainerInfo::running);

    runtime().stop(id, Duration.ofSeconds(10));
    runtime().stop(id, Duration.ofSeconds(1));

    ContainerInfo stopped = runtime().inspect(id).orElseThrow();
    assertThat(stopped.running()).isFalse();
    assertThat(stopped.state()).isEqualTo("exited");
    assertThat(stopped.exitCode()).isNotNull();
    assertThat(stopped.oomKilled()).isFalse();
  }

  @Test
  void aRemovedContainerIsGoneWithTheVolumesListed() {
    String kept = name("kept");
    String temporary = name("temporary");
    ContainerSpec spec = idleSpec("removed", name("node"),
        List.of(new VolumeMount(kept, "/kept"), new VolumeMount(temporary, "/scratch")));
    String id = runtime().create(spec);
    runtime().start(id);
    awaitContainer(id, ContainerInfo::running);
    assertThat(volumeExists(kept)).isTrue();
    assertThat(volumeExists(temporary)).isTrue();

    runtime().remove(id, List.of(temporary));
    runtime().remove(id, List.of(temporary));

    assertThat(runtime().inspect(id)).isEmpty();
    assertThat(volumeExists(temporary)).isFalse();
    assertThat(volumeExists(kept)).isTrue();
    assertThatThrownBy(() -> runtime().start(id)).isInstanceOf(RuntimeFailure.class);
    runtime().remove(id, List.of(kept));
  }

  @Test
  void aNodesVolumesAreListedWithTheirEnvironmentAndTargetAndRemovedOnceNoContainerMountsThem() {
    String node = name("volumes-node");
    String kept = name("volume-kept");
    ContainerSpec spec = idleSpec("volumes", node, List.of(new VolumeMount(kept, "/kept")));
    String id = runtime().create(spec);
    runtime().create(idleSpec("volumes-other", name("volumes-other-node"), List.of(new VolumeMount(name("volume-other"), "/o"))));

    assertThat(runtime().listManagedVolumes(node)).singleElement().satisfies(volume -> {
      assertThat(volume.name()).isEqualTo(kept);
      assertThat(volume.environmentId()).isEqualTo(spec.labels().get(EnvironmentNames.ENV_LABEL));
      assertThat(volume.target()).isEqualTo("/kept");
      assertThat(volume.createdAt()).isNotNull();
      assertThat(volume.inUse()).isTrue();
    });
    assertThat(runtime().removeManagedVolume(node, kept)).isEqualTo(VolumeRemoval.IN_USE);
    assertThat(runtime().removeManagedVolume(name("volumes-other-node"), kept)).isEqualTo(VolumeRemoval.NOT_FOUND);

    runtime().remove(id, List.of());
    assertThat(runtime().listManagedVolumes(node)).singleElement()
        .satisfies(volume -> assertThat(volume.inUse()).isFalse());
    assertThat(runtime().removeManagedVolume(node, kept)).isEqualTo(VolumeRemoval.REMOVED);
    assertThat(volumeExists(kept)).isFalse();
    assertThat(runtime().listManagedVolumes(node)).isEmpty();
    assertThat(runtime().removeManagedVolume(node, kept)).isEqualTo(VolumeRemoval.NOT_FOUND);
  }

  @Test
  void aKeptVolumeIsMountedAsItIsByOneContainerOfItsNodeAndNeverMade() {
    String node = name("kept-node");
    String kept = name("kept-volume");
    String first = runtime().create(idleSpec("kept-first", node, List.of(new VolumeMount(kept, "/data"))));
    runtime().remove(first, List.of());

    String second = runtime().create(idleSpec("kept-second", node, List.of(new VolumeMount(kept, "/again", true))));
    assertThat(runtime().listManagedVolumes(node)).singleElement()
        .satisfies(volume -> assertThat(volume.inUse()).isTrue());
    assertThatThrownBy(() -> runtime().create(idleSpec("kept-third", node, List.of(new VolumeMount(kept, "/d", true)))))
        .isInstanceOf(RuntimeFailure.class).hasMessageContaining("is mounted by");
    assertThatThrownBy(() -> runtime().create(
        idleSpec("kept-elsewhere", name("kept-other-node"), List.of(new VolumeMount(kept, "/d", true)))))
        .isInstanceOf(RuntimeFailure.class).hasMessageContaining("not");
    String missing = name("kept-missing");
    assertThatThrownBy(() -> runtime().create(idleSpec("kept-missing", node, List.of(new VolumeMount(missing, "/d", true)))))
        .isInstanceOf(RuntimeFailure.class).hasMessageContaining("is not on this machine");
    assertThat(volumeExists(missing)).isFalse();

    runtime().remove(second, List.of(kept));
    assertThat(volumeExists(kept)).isFalse();
  }

  @Test
  void listManagedFindsTheContainersOfOneNodeByItsLabel() {
    String nodeA = name("node-a");
    String a1 = runtime().create(idleSpec("list-a1", nodeA, List.of()));
    String a2 = runtime().create(idleSpec("list-a2", nodeA, List.of()));
    String b1 = runtime().create(idleSpec("list-b1", name("node-b"), List.of()));

    assertThat(runtime().listManaged(nodeA)).extracting(ContainerInfo::id).containsExactlyInAnyOrder(a1, a2);
    assertThat(runtime().listManaged(name("node-b"))).extracting(ContainerInfo::id).containsExactly(b1);
    assertThat(runtime().listManaged(name("node-none"))).isEmpty();
  }

  @Test
  void createAgainReusesTheEnvironmentsContainerAndRefusesAForeignName() {
    ContainerSpec spec = idleSpec("again", name("node"), List.of());
    String first = runtime().create(spec);

    assertThat(runtime().create(spec)).isEqualTo(first);
    ContainerSpec foreign = idleSpec("again", name("other-node"), List.of());
    assertThatThrownBy(() -> runtime().create(foreign)).isInstanceOf(RuntimeFailure.class).hasMessageContaining("already exists");
  }

  @Test
  void aContainerThatDiesIsAnEventWithItsExitCodeAndLabels() throws Exception {
    ContainerSpec spec = idleSpec("dies", name("node"), List.of());
    BlockingQueue<ContainerEvent> events = new LinkedBlockingQueue<>();
    try (Closeable watch = runtime().watchEvents(events::add)) {
      String id = runtime().create(spec);
      runtime().start(id);
      awaitContainer(id, ContainerInfo::running);
      runtime().stop(id, Duration.ofSeconds(10));

      ContainerEvent died = next(events, id, "die");
      assertThat(died.exitCode()).isEqualTo(runtime().inspect(id).orElseThrow().exitCode());
      assertThat(died.labels())
          .containsEntry(EnvironmentNames.ENV_LABEL, spec.labels().get(EnvironmentNames.ENV_LABEL))
          .containsEntry(EnvironmentNames.NODE_LABEL, spec.labels().get(EnvironmentNames.NODE_LABEL));
    }
  }

  @Test
  void aMissingContainerHasNoStatsAndNoLogs() {
    String missing = name("missing");

    assertThat(runtime().inspect(missing)).isEmpty();
    assertThatThrownBy(() -> runtime().stats(missing)).isInstanceOf(RuntimeFailure.class);
    assertThatThrownBy(() -> runtime().logs(missing, 10, false, line -> {}, () -> {})).isInstanceOf(RuntimeFailure.class);
  }

  @Test
  void execFeedsStdinAndCutsTheOutputAtTheBound() {
    String id = runtime().create(idleSpec("exec", name("node"), List.of()));
    runtime().start(id);
    awaitContainer(id, ContainerInfo::running);

    ExecResult whole = runtime().exec(id, List.of("cat"), "hello\n", EXEC_TIMEOUT, 1024);
    ExecResult cut = runtime().exec(id, List.of("cat"), "abcdef", EXEC_TIMEOUT, 3);

    assertThat(whole).isEqualTo(new ExecResult(0, "hello\n", "", false, false));
    assertThat(cut.stdout()).isEqualTo("abc");
    assertThat(cut.truncated()).isTrue();
  }

  @Test
  void execInAStoppedOrMissingContainerFails() {
    String id = runtime().create(idleSpec("exec-stopped", name("node"), List.of()));

    assertThatThrownBy(() -> runtime().exec(id, List.of("true"), null, EXEC_TIMEOUT, 1024))
        .isInstanceOf(RuntimeFailure.class);
    assertThatThrownBy(() -> runtime().exec(name("missing"), List.of("true"), null, EXEC_TIMEOUT, 1024))
        .isInstanceOf(RuntimeFailure.class);
  }

  private static ContainerEvent next(BlockingQueue<ContainerEvent> events, String containerId, String action)
      throws InterruptedException {
    long deadline = System.nanoTime() + EVENT_TIMEOUT.toNanos();
    while (System.nanoTime() < deadline) {
      ContainerEvent event = events.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
      if (event != null && event.containerId().equals(containerId) && event.action().equals(action)) {
        return event;
      }
    }
    throw new AssertionError("no " + action + " event for " + containerId + " within " + EVENT_TIMEOUT);
  }
}
