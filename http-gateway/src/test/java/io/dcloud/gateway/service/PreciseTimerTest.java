package io.dcloud.gateway.service;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class PreciseTimerTest {
  private final List<String> ran = new CopyOnWriteArrayList<>();
  /** Runs each task at once, noting that it came through here. */
  private final Executor dispatcher = task -> {
    ran.add("dispatcher");
    task.run();
  };

  @Test
  void aTaskRunsOnTheGivenExecutorOnceItsWaitIsOverAndAShortWaitIsNotHeldBehindALongOne() throws Exception {
    CompletableFuture<String> longWait = new CompletableFuture<>();
    CompletableFuture<String> shortWait = new CompletableFuture<>();
    try (PreciseTimer timer = new PreciseTimer("test-waits", dispatcher)) {
      timer.after(Duration.ofMinutes(10), () -> longWait.complete("long"));
      timer.after(Duration.ofMillis(1), () -> shortWait.complete(Thread.currentThread().getName()));

      assertThat(shortWait.get(10, TimeUnit.SECONDS)).isEqualTo("test-waits");
      assertThat(ran).containsExactly("dispatcher");
      assertThat(longWait).isNotDone();
    }
  }
}
