package io.dcloud.service;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Collection;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;

/** The service entity's scheduled looks, as its tests deliver them by hand. */
final class ScheduledLooks {
  private ScheduledLooks() {}

  /**
   * Delivers the looks in the order they were scheduled until one makes the entity send something
   * to its replicas ({@code sent} no longer empty): after a restart, a look the earlier incarnation
   * scheduled is ignored and the restarted one's acts, whichever was queued last.
   */
  static void deliverUntilOneActs(BlockingQueue<ServiceEntity.Command> looks, Collection<?> sent,
      EventSourcedBehaviorTestKit<ServiceEntity.Command, ServiceEntity.Event, ServiceState> entity)
      throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (sent.isEmpty()) {
      ServiceEntity.Command look = looks.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
      assertThat(look).as("a look that makes the restarted entity ask its replicas").isInstanceOf(ServiceEntity.Reconcile.class);
      entity.runCommand(look);
    }
  }
}
