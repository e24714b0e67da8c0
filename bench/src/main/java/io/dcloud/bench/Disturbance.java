package io.dcloud.bench;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * A fault done to a run (a test's), on its own thread from the first measured create on, given
 * the Cassandra process. The run waits for it to end, then, as a client whose create went
 * unanswered would, sends the creates not yet accepted again once answers stop coming
 * ({@link CreateLoad.Resender}; a create is idempotent).
 */
@FunctionalInterface
public interface Disturbance {
  Disturbance NONE = cassandra -> {};

  void apply(ProcessHandle cassandra) throws InterruptedException;

  /** The disturbance's thread, and what it threw. */
  record Running(Thread thread, List<String> failures) {
    static Running start(Disturbance disturbance, ProcessHandle cassandra) {
      List<String> failures = Collections.synchronizedList(new ArrayList<>());
      Thread thread = new Thread(() -> {
        try {
          disturbance.apply(cassandra);
        } catch (InterruptedException | RuntimeException e) {
          failures.add("the disturbance failed: " + e);
        }
      }, "bench-disturbance");
      thread.setDaemon(true);
      thread.start();
      return new Running(thread, failures);
    }

    List<String> awaitEnd() {
      try {
        thread.join();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        failures.add("interrupted while the disturbance ran");
      }
      return failures;
    }
  }
}
