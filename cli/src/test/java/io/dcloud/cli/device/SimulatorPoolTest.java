package io.dcloud.cli.device;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The pool the simulated devices' Paho clients run on keeps running their keep-alive pings: else
 * the broker drops a device that has nothing to publish (a controller) every 1.5 keep-alive
 * intervals.
 */
class SimulatorPoolTest {
  private final CountDownLatch loopsEnd = new CountDownLatch(1);
  private ScheduledThreadPoolExecutor pool;

  @AfterEach
  void stop() {
    loopsEnd.countDown();
    if (pool != null) {
      pool.shutdownNow();
    }
  }

  @Test
  void aPingDueLongAfterTheThreadsKeepAliveStillRunsWhilePahosLoopsHoldTheirThreads() {
    int devices = 2;
    pool = Simulator.mqttPool(devices);
    // As Paho does: each connection's receiver, sender and callback loops are tasks that never return.
    for (int i = 0; i < Simulator.THREADS_PER_DEVICE * devices; i++) {
      pool.execute(() -> {
        try {
          loopsEnd.await();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      });
    }
    // Shortened from whatever it is so that the test need not wait a real keep-alive interval: a pool
    // whose idle threads time out loses them all before the ping is due (the loops count as threads
    // left), and nothing submitted afterwards makes a new one.
    pool.setKeepAliveTime(20, TimeUnit.MILLISECONDS);
    AtomicInteger pings = new AtomicInteger();
    // As ScheduledExecutorPingSender does: each ping schedules the next one, a keep-alive interval ahead.
    Runnable ping = new Runnable() {
      @Override
      public void run() {
        if (pings.incrementAndGet() < 3) {
          pool.schedule(this, 200, TimeUnit.MILLISECONDS);
        }
      }
    };
    pool.schedule(ping, 200, TimeUnit.MILLISECONDS);

    Awaitility.await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(pings).hasValue(3));
  }

  @Test
  void itsThreadsDoNotTimeOut() {
    pool = Simulator.mqttPool(1);

    assertThat(pool.allowsCoreThreadTimeOut()).isFalse();
    assertThat(pool.getCorePoolSize()).isEqualTo(Simulator.THREADS_PER_DEVICE + Simulator.SPARE_THREADS);
  }
}
