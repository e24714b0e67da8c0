package io.dcloud.cli.device;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.eclipse.paho.client.mqttv3.IMqttToken;
import org.eclipse.paho.client.mqttv3.MqttException;

/**
 * A fleet of simulated devices: their MQTT connections and the one thread that paces their readings.
 *
 * <p>Threads: Paho keeps three blocking loops per connection (receiver, sender, callback), which it
 * runs as tasks of the executor it is given; a pool smaller than that would starve connections, so
 * the shared pool has room for all of them plus a few for connects and keep-alive pings. Its
 * threads are daemons with small stacks ({@value #STACK_BYTES} bytes reserved): 1,000 devices are
 * about 3,030 threads that each sit in a blocking call (measured: the CLI's JVM at about 430 MB
 * resident, publishing 1,000 readings/s without a failure on 2 cores). The readings are paced by
 * a single scheduler thread, not a thread per device.
 */
final class Simulator implements AutoCloseable {
  /** Paho's receiver, sender and callback loops. */
  static final int THREADS_PER_DEVICE = 3;
  /** Besides the loops: connects in flight and keep-alive pings. */
  static final int SPARE_THREADS = 8;
  static final long STACK_BYTES = 256 * 1024;
  /** Connects in flight at once, so a thousand devices do not log in all in the same instant. */
  static final int CONNECTING_AT_ONCE = 50;
  /** How often the publisher wakes to send the readings that fell due meanwhile. */
  static final long TICK_MILLIS = 10;
  /** How long the devices may take to disconnect cleanly at the end, all together. */
  static final long DISCONNECT_SECONDS = 5;

  private final ScheduledThreadPoolExecutor pool;
  private final ScheduledExecutorService publisher;
  private final List<SimulatorDevice> devices = new ArrayList<>();
  private final SimulatorCounts counts = new SimulatorCounts();
  private boolean closed;

  Simulator(int deviceCount) {
    pool = mqttPool(deviceCount);
    publisher = Executors.newSingleThreadScheduledExecutor(threads("dcloud-sim-publisher"));
  }

  /**
   * The pool the devices' Paho clients run on: their loops, connects, and keep-alive pings.
   *
   * <p>Its threads must never time out. A keep-alive ping is a task scheduled a keep-alive interval
   * (60 s) ahead, and a scheduled pool makes a thread only when a task is submitted; a thread that
   * waits for that task longer than its keep-alive quits whenever another thread is left, and
   * Paho's loops, which never return, are always left. So with core threads timing out (after 30 s,
   * as they once did) every idle thread had gone before the first ping fell due, the ping never ran,
   * and the broker dropped a device with nothing to publish (a controller) after 1.5 keep-alive
   * intervals, about every 93 s. Without a time-out the pool keeps at most its core size, the
   * {@value #THREADS_PER_DEVICE} loops per device and {@value #SPARE_THREADS} spare, which a fleet
   * of connected devices needs anyway; a connection that closes hands its threads to the next one.
   */
  static ScheduledThreadPoolExecutor mqttPool(int deviceCount) {
    return new ScheduledThreadPoolExecutor(THREADS_PER_DEVICE * deviceCount + SPARE_THREADS, threads("dcloud-sim-mqtt-"));
  }

  private static ThreadFactory threads(String prefix) {
    AtomicInteger next = new AtomicInteger();
    return task -> {
      Thread thread = new Thread(null, task, prefix + next.incrementAndGet(), STACK_BYTES);
      thread.setDaemon(true);
      return thread;
    };
  }

  SimulatorCounts counts() {
    return counts;
  }

  /** A device of this fleet (not connected yet). */
  SimulatorDevice add(String id, SimulatorCredentials credentials, SimulatorValues values, boolean controller) {
    SimulatorDevice device = new SimulatorDevice(id, credentials, values, controller, counts, pool);
    devices.add(device);
    return device;
  }

  /** Connects every device, at most {@value #CONNECTING_AT_ONCE} at once; each failure goes to {@code problems}. */
  void connectAll(Consumer<String> problems) throws InterruptedException {
    Semaphore connecting = new Semaphore(CONNECTING_AT_ONCE);
    CountDownLatch done = new CountDownLatch(devices.size());
    for (SimulatorDevice device : devices) {
      connecting.acquire();
      device.connect(failure -> {
        if (failure != null) {
          problems.accept(device.id() + ": cannot connect: " + failure.getMessage());
        }
        connecting.release();
        done.countDown();
      });
    }
    done.await();
  }

  int connected() {
    return (int) devices.stream().filter(SimulatorDevice::connected).count();
  }

  /** Starts publishing {@code rate} readings per second in all, round-robin over the devices that publish. */
  void start(double rate) {
    List<SimulatorDevice> publishing = devices.stream().filter(SimulatorDevice::publishes).toList();
    if (publishing.isEmpty()) {
      return;
    }
    long started = System.nanoTime();
    long[] issued = {0};
    publisher.scheduleAtFixedRate(() -> {
      long due = (long) ((System.nanoTime() - started) / 1e9 * rate);
      for (; issued[0] < due; issued[0]++) {
        try {
          publishing.get((int) (issued[0] % publishing.size())).publish(System.currentTimeMillis());
        } catch (RuntimeException e) {
          // An exception would end this schedule for good: count the reading and go on with the next.
          counts.failed();
        }
      }
    }, 0, TICK_MILLIS, TimeUnit.MILLISECONDS);
  }

  /** Stops publishing, then disconnects every device; again, does nothing. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    publisher.shutdownNow();
    try {
      publisher.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    // All at once: a thousand devices disconnected one after the other would take minutes.
    List<IMqttToken> disconnecting = devices.stream().map(SimulatorDevice::disconnect).filter(Objects::nonNull).toList();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(DISCONNECT_SECONDS);
    for (IMqttToken token : disconnecting) {
      try {
        token.waitForCompletion(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
      } catch (MqttException e) {
        // Not disconnected in time: closed forcibly below.
      }
    }
    devices.forEach(SimulatorDevice::close);
    pool.shutdownNow();
  }
}
