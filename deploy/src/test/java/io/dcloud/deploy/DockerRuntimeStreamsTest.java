package io.dcloud.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dcloud.contracts.EnvironmentNames;
import io.dcloud.deploy.ContainerRuntime.ContainerEvent;
import io.dcloud.deploy.ContainerRuntime.ContainerInfo;
import io.dcloud.deploy.ContainerRuntime.ContainerSpec;
import io.dcloud.deploy.ContainerRuntime.ContainerStats;
import java.io.Closeable;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Events, OOM detection, logs and stats against the real Docker Engine. */
@Tag("docker")
class DockerRuntimeStreamsTest {

  private static final Duration EVENT_TIMEOUT = Duration.ofSeconds(30);
  private static final long OOM_MEMORY_BYTES = 8L * 1024 * 1024;
  /** busybox sh holds a command substitution's whole output in memory: 64 MB in an 8 MiB box. */
  private static final String ALLOCATE_64MB = "x=$(head -c 64000000 /dev/zero | tr '\\0' a); echo survived ${#x}";

  /** Cleans up everything the class created, after its last test. */
  @RegisterExtension
  static final DockerTestSupport docker = DockerTestSupport.start();

  private static final DockerRuntime runtime = docker.runtime();

  @Test
  void dieEventCarriesTheExitCodeAndTheLabels() throws Exception {
    BlockingQueue<ContainerEvent> events = new LinkedBlockingQueue<>();
    ContainerSpec spec = docker.busyboxSpec("exit3", List.of("sh", "-c", "exit 3"));
    try (Closeable watch = runtime.watchEvents(events::add)) {
      String id = docker.run(spec);

      ContainerEvent start = next(events, id, "start");
      ContainerEvent die = next(events, id, "die");

      assertThat(start.labels()).containsEntry(EnvironmentNames.ENV_LABEL, spec.name());
      assertThat(die.exitCode()).isEqualTo(3);
      assertThat(die.labels()).containsAllEntriesOf(spec.labels());
      assertThat(docker.awaitExited(id).exitCode()).isEqualTo(3);
    }
  }

  @Test
  void outOfMemoryIsReportedByEventsAndInspect() throws Exception {
    BlockingQueue<ContainerEvent> events = new LinkedBlockingQueue<>();
    ContainerSpec base = docker.busyboxSpec("oom", List.of("sh", "-c", ALLOCATE_64MB));
    ContainerSpec spec = new ContainerSpec(base.name(), base.image(), base.command(), base.env(), base.nanoCpus(),
        OOM_MEMORY_BYTES, base.pidsLimit(), List.of(), List.of(), List.of(), base.labels(), base.tenant());
    try (Closeable watch = runtime.watchEvents(events::add)) {
      String id = docker.run(spec);

      List<ContainerEvent> seen = until(events, id, "die");
      ContainerEvent died = seen.get(seen.size() - 1);
      // The engine does not order them: the kernel's OOM notice may reach it after the exit.
      if (seen.stream().noneMatch(event -> event.action().equals("oom"))) {
        seen.addAll(until(events, id, "oom"));
      }

      assertThat(seen).extracting(ContainerEvent::action).contains("oom", "die");
      assertThat(died.exitCode()).isEqualTo(137);
      ContainerInfo info = docker.awaitExited(id);
      assertThat(info.oomKilled()).isTrue();
      assertThat(info.exitCode()).isEqualTo(137);
    }
  }

  @Test
  void eventsOfUnmanagedContainersAreNotDelivered() throws Exception {
    BlockingQueue<ContainerEvent> events = new LinkedBlockingQueue<>();
    String unmanaged = docker.name("unmanaged");
    try (Closeable watch = runtime.watchEvents(events::add)) {
      String id = docker.docker().createContainerCmd(TestImages.BUSYBOX).withName(unmanaged)
          .withLabels(java.util.Map.of(DockerTestSupport.TEST_LABEL, docker.runId()))
          .withCmd("true").exec().getId();
      docker.docker().startContainerCmd(id).exec();
      docker.awaitExited(id);
      String managed = docker.run(docker.busyboxSpec("managed", List.of("true")));

      List<ContainerEvent> seen = until(events, managed, "die");

      assertThat(seen).extracting(ContainerEvent::containerId).doesNotContain(id);
    }
  }

  @Test
  void closingTheWatchStopsDeliveryAndDoesNotReportAnEnd() throws Exception {
    List<ContainerEvent> events = new CopyOnWriteArrayList<>();
    List<Throwable> ends = new CopyOnWriteArrayList<>();
    Closeable watch = runtime.watchEvents(events::add, ends::add);
    watch.close();

    String id = docker.run(docker.busyboxSpec("after-close", List.of("true")));
    docker.awaitExited(id);

    assertThat(events).noneMatch(e -> e.containerId().equals(id));
    assertThat(ends).isEmpty();
  }

  @Test
  void logsFollowStdoutAndStderrLines() throws Exception {
    String script = "echo oops >&2; for i in 1 2 3 4 5; do echo line$i; done; sleep infinity";
    String id = docker.run(docker.busyboxSpec("follow", List.of("sh", "-c", script)));
    List<String> followed = new CopyOnWriteArrayList<>();
    CountDownLatch sixLines = new CountDownLatch(6);
    CountDownLatch ended = new CountDownLatch(1);

    Closeable follow = runtime.logs(id, -1, true, line -> {
      followed.add(line);
      sixLines.countDown();
    }, ended::countDown);

    assertThat(sixLines.await(EVENT_TIMEOUT.toSeconds(), TimeUnit.SECONDS)).as("followed: %s", followed).isTrue();
    assertThat(ended.getCount()).as("a followed log stays open").isOne();
    follow.close();
    assertThat(ended.await(EVENT_TIMEOUT.toSeconds(), TimeUnit.SECONDS)).isTrue();
    // The engine's stdout and stderr copiers race: the order across the two streams is not kept.
    assertThat(followed).containsExactlyInAnyOrder("oops", "line1", "line2", "line3", "line4", "line5");
  }

  @Test
  void logsTailTheLastLinesAndEndWithAnUnterminatedOne() throws Exception {
    String script = "for i in 1 2 3 4 5; do echo line$i; done; printf 'no newline'";
    String id = docker.run(docker.busyboxSpec("tail", List.of("sh", "-c", script)));
    docker.awaitExited(id);
    List<String> tail = new CopyOnWriteArrayList<>();
    CountDownLatch ended = new CountDownLatch(1);

    runtime.logs(id, 3, false, tail::add, ended::countDown);

    assertThat(ended.await(EVENT_TIMEOUT.toSeconds(), TimeUnit.SECONDS)).isTrue();
    assertThat(tail).containsExactly("line4", "line5", "no newline");
  }

  /** Two lines two seconds apart (the container's own pause): the engine's times tell them apart, since keeps the later. */
  @Test
  void logsSinceAnInstantKeepTheLinesWrittenFromThenOnEachWithItsTime() throws Exception {
    String id = docker.run(docker.busyboxSpec("since", List.of("sh", "-c", "echo early; sleep 2; echo late")));
    docker.awaitExited(id);
    List<String> stamped = docker.logLines(id, null, true);
    assertThat(stamped).hasSize(2).allSatisfy(line -> assertThat(line).matches("\\d{4}-\\d\\d-\\d\\dT\\S+Z (early|late)"));
    Instant late = Instant.parse(stamped.get(1).substring(0, stamped.get(1).indexOf(' ')));

    assertThat(docker.logLines(id, late.truncatedTo(ChronoUnit.SECONDS), false)).containsExactly("late");
    assertThat(docker.logLines(id, Instant.parse("2099-01-01T00:00:00Z"), false)).as("past 2038's seconds too").isEmpty();
  }

  @Test
  void logsOfAMissingContainerFail() {
    assertThatThrownBy(() -> runtime.logs(docker.name("nothing"), 10, false, line -> {}, () -> {}))
        .isInstanceOf(RuntimeFailure.class)
        .hasMessageContaining("No such container");
  }

  @Test
  void statsSampleReportsCpuMemoryAndPids() {
    ContainerSpec spec = docker.busyboxSpec("busy", List.of("sh", "-c", "while :; do :; done"));
    String id = docker.run(spec);
    docker.awaitContainer(id, ContainerInfo::running);

    ContainerStats stats = runtime.stats(id);

    // Half a CPU of busy loop: clearly above zero, at most the half CPU plus measuring noise.
    assertThat(stats.cpuPercent()).isGreaterThan(5.0).isLessThan(80.0);
    assertThat(stats.memoryLimitBytes()).isEqualTo(spec.memoryBytes());
    assertThat(stats.memoryUsedBytes()).isPositive().isLessThan(spec.memoryBytes());
    assertThat(stats.pids()).isBetween(1L, spec.pidsLimit());
  }

  @Test
  void statsOfAStoppedContainerAreZeroNotAFailure() {
    String id = runtime.create(docker.busyboxSpec("stopped-stats", List.of("true")));

    ContainerStats stats = runtime.stats(id);

    assertThat(stats.cpuPercent()).isZero();
    assertThat(stats.pids()).isZero();
  }

  /** The next event of {@code action} for the container, skipping others. */
  private static ContainerEvent next(BlockingQueue<ContainerEvent> events, String id, String action)
      throws InterruptedException {
    List<ContainerEvent> seen = until(events, id, action);
    return seen.get(seen.size() - 1);
  }

  /** The container's events up to and including the first {@code action}. */
  private static List<ContainerEvent> until(BlockingQueue<ContainerEvent> events, String id, String action)
      throws InterruptedException {
    List<ContainerEvent> seen = new ArrayList<>();
    long deadline = System.nanoTime() + EVENT_TIMEOUT.toNanos();
    while (System.nanoTime() < deadline) {
      ContainerEvent event = events.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
      if (event != null && event.containerId().equals(id)) {
        seen.add(event);
        if (event.action().equals(action)) {
          return seen;
        }
      }
    }
    throw new AssertionError("no " + action + " event for " + id + " within " + EVENT_TIMEOUT + "; saw " + seen);
  }
}
