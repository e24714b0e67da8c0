package io.dcloud.it;

import static io.dcloud.it.Envs.create;
import static io.dcloud.it.Envs.tinySpec;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * A benchmark, not a CI test: {@code ./dcloud bench failover --saturated-seconds N} runs it. The
 * evidence for the shipped failure detection and downing (application.conf): three real nodes on
 * this machine, every core kept busy by spinning processes (two per core, at the nodes' own
 * priority) while the nodes create and delete environments, and no node may be marked
 * unreachable, let alone downed. It counts the unreachable marks in the nodes' logs and fails
 * when a node was downed or its process exited.
 */
class SaturatedMembershipBenchmark {
  private static final Duration SATURATED_FOR = Duration.ofSeconds(Integer.getInteger("dcloud.bench.saturated.seconds", 120));
  private static final int SPINNERS = 2 * Runtime.getRuntime().availableProcessors();
  private static final int CREATORS = 2;
  private static final Duration RUNNING_WITHIN = Duration.ofSeconds(60);

  @Test
  void saturatedNodesAreNotDowned() throws Exception {
    try (ClusterHarness cluster = ClusterHarness.start(3)) {
      List<Long> logEnds = MembershipMarks.logEnds(cluster.nodes());
      List<Process> spinners = new ArrayList<>();
      AtomicInteger cycles = new AtomicInteger();
      AtomicInteger failedCycles = new AtomicInteger();
      Instant until = Instant.now().plus(SATURATED_FOR);
      List<Thread> creators = new ArrayList<>();
      try {
        for (int i = 0; i < SPINNERS; i++) {
          // Each spins while this JVM lives: a benchmark killed before its finally must not leave cores busy.
          spinners.add(new ProcessBuilder("sh", "-c", "while kill -0 " + ProcessHandle.current().pid() + " 2>/dev/null; do :; done").start());
        }
        for (int i = 0; i < CREATORS; i++) {
          Node via = cluster.node(1 + i % 3);
          int creator = i;
          Thread thread = new Thread(() -> createAndDeleteUntil(via, creator, until, cycles, failedCycles), "creator-" + i);
          thread.start();
          creators.add(thread);
        }
        for (Thread thread : creators) {
          thread.join();
        }
      } finally {
        spinners.forEach(Process::destroyForcibly);
        for (Process spinner : spinners) {
          spinner.waitFor(10, TimeUnit.SECONDS);
        }
      }
      MembershipMarks marks = MembershipMarks.since(cluster.nodes(), logEnds);
      long exited = cluster.nodes().stream().filter(node -> !node.alive()).count();
      System.out.printf(Locale.ROOT,
          "RESULT saturated-membership seconds=%d spinners=%d cores=%d creators=%d create_delete_cycles=%d failed_cycles=%d unreachable_marks=%d downing_decisions=%d nodes_exited=%d%n",
          SATURATED_FOR.toSeconds(), SPINNERS, Runtime.getRuntime().availableProcessors(), CREATORS, cycles.get(),
          failedCycles.get(), marks.unreachable(), marks.downings(), exited);
      assertThat(marks.downings()).as("downing decisions while the nodes were only busy").isZero();
      assertThat(exited).as("node processes that exited").isZero();
      for (Node node : cluster.nodes()) {
        cluster.awaitSeesAll(node);
      }
    }
  }

  /** One environment at a time: create, wait for RUNNING, delete, until {@code until}. */
  private static void createAndDeleteUntil(Node via, int creator, Instant until, AtomicInteger cycles, AtomicInteger failed) {
    for (int i = 0; Instant.now().isBefore(until); i++) {
      try {
        String id = create(via, tinySpec("saturated-" + creator + "-" + i, "0.1", ""));
        Envs.awaitStatus(via, id, "RUNNING", RUNNING_WITHIN);
        via.api.delete("/api/v1/environments/" + id);
        cycles.incrementAndGet();
      } catch (RuntimeException | AssertionError e) {
        failed.incrementAndGet();
        System.out.println("SATURATED cycle of creator " + creator + " failed: " + e.getMessage());
      }
    }
  }
}
