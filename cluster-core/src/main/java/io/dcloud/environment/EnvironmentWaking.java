package io.dcloud.environment;

import com.typesafe.config.Config;
import io.dcloud.node.AfterRemoval;
import io.dcloud.node.NodeWatch;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Metrics;
import java.time.Clock;
import java.time.Duration;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Predicate;
import org.apache.pekko.actor.NoSerializationVerificationNeeded;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.PreRestart;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Wakes the environments whose entity may have lost a reminder. An entity that waits keeps its
 * reminder in memory (its retry tick while its status is transitional, its restart's while one is
 * due: {@link ConvergenceLoop}) and schedules it again at every recovery. When the member it lived
 * on crashes, its shard moves, but nothing starts the entity there until a message reaches it: a
 * container that exited there would wait for its restart forever. So after the cluster removes a
 * member, this wakes every environment that waits ({@link EnvironmentEntity.Wake}), a few times
 * (see {@link AfterRemoval}); those running elsewhere take it as a no-op. It also wakes, now and then, any environment whose restart
 * is overdue by a whole check interval, whatever lost its reminder.
 *
 * <p>A cluster singleton on a control node, reading that node's read side ({@link FoldedEnvironments}),
 * as the {@link DeletedEnvironmentCollector} does. It wakes the waiting ones once when it starts too:
 * a singleton that starts on a running cluster has just moved, its earlier node probably removed.
 */
public final class EnvironmentWaking {
  private static final Logger LOG = LoggerFactory.getLogger(EnvironmentWaking.class);

  public sealed interface Command {}

  /** Wakes every environment that waits: {@code cause} says why, for the log. */
  private record WakeWaiting(String cause) implements Command, NoSerializationVerificationNeeded {}

  private enum WakeOverdue implements Command, NoSerializationVerificationNeeded { INSTANCE }

  /** Sends the next of the wakes that wait for their turn. */
  private enum SendNext implements Command, NoSerializationVerificationNeeded { INSTANCE }

  /** How often the wakes that wait are sent, a tenth of {@link Settings#maxPerSecond} each time. */
  private static final Duration SEND_INTERVAL = Duration.ofMillis(100);

  /** The wakes waiting for their turn on this node (0 where the singleton does not run). */
  private static final AtomicInteger PENDING = new AtomicInteger();

  static {
    Gauge.builder("dcloud.environment.wakes.pending", PENDING, AtomicInteger::get)
        .description("Wakes of environments waiting their turn under dcloud.environment.waking.max-per-second "
            + "(0 where the waking singleton does not run)")
        .register(Metrics.globalRegistry);
  }

  /**
   * {@code afterRemoval}: how long after a member's removal the waiting ones are first woken (this
   * node's shard regions hear of the removal on their own, and a message sent before would go to the
   * shard's old home), then at 2, 4 and 8 times that; {@code overdueCheck}: how often restarts
   * overdue by that much are looked for; {@code maxPerSecond}: the most wakes sent a second, so that
   * thousands of waiting environments do not overflow a remote member's send queue at once (Artery
   * drops what does not fit) or crowd out the cluster's own messages.
   */
  public record Settings(Duration afterRemoval, Duration overdueCheck, int maxPerSecond) {
    public Settings {
      if (maxPerSecond < 1) {
        throw new IllegalArgumentException("dcloud.environment.waking.max-per-second must be at least 1, not " + maxPerSecond);
      }
    }

    public static Settings fromConfig(Config root) {
      Config config = root.getConfig("dcloud.environment.waking");
      return new Settings(config.getDuration("after-removal"), config.getDuration("overdue-check-interval"),
          config.getInt("max-per-second"));
    }

    int perSend() {
      return (int) Math.max(1, maxPerSecond * SEND_INTERVAL.toMillis() / 1000);
    }
  }

  private EnvironmentWaking() {}

  /** {@code folded}: the read side of the node it runs on; {@code wake} starts an environment's entity by id. */
  public static Behavior<Command> create(
      Settings settings, FoldedEnvironments folded, NodeWatch nodes, Consumer<String> wake, Clock clock) {
    return Behaviors.setup(context -> Behaviors.withTimers(timers -> {
      timers.startTimerWithFixedDelay(WakeOverdue.INSTANCE, settings.overdueCheck());
      timers.startSingleTimer(new WakeWaiting("this waker started"), settings.afterRemoval());
      ActorRef<Command> self = context.getSelf();
      Runnable stopHearing = nodes.whenMembersRemoved(AfterRemoval.repeated(context.getSystem().scheduler(),
          context.getSystem().executionContext(), settings.afterRemoval(),
          address -> self.tell(new WakeWaiting("member " + address + " was removed"))));
      Counter woken = Counter.builder("dcloud.environment.woken")
          .description("Environments whose entity was started again because it may have lost a reminder "
              + "(a member removed, a restart overdue)")
          .register(Metrics.globalRegistry);
      // Ids in the order their wake was asked; one asked again before its turn is sent once.
      Set<String> due = new LinkedHashSet<>();
      Runnable sendNext = () -> {
        Iterator<String> next = due.iterator();
        for (int sent = 0; sent < settings.perSend() && next.hasNext(); sent++) {
          wake.accept(next.next());
          next.remove();
          woken.increment();
        }
        PENDING.set(due.size());
        if (due.isEmpty()) {
          timers.cancel(SendNext.INSTANCE);
        }
      };
      // A wave's first wakes go at once (here, not by a timer due now), unless earlier ones are still
      // going out at the rate; the rest follow at the rate.
      Runnable sendSoon = () -> {
        PENDING.set(due.size());
        if (!timers.isTimerActive(SendNext.INSTANCE)) {
          sendNext.run();
          if (!due.isEmpty()) {
            timers.startTimerWithFixedDelay(SendNext.INSTANCE, SEND_INTERVAL);
          }
        }
      };
      return Behaviors.receive(Command.class)
          .onMessage(WakeWaiting.class, waiting -> {
            int count = add(folded, EnvironmentWaking::waits, due);
            if (count > 0) {
              LOG.info("Waking {} waiting environments, at most {} a second: {}", count, settings.maxPerSecond(),
                  waiting.cause());
              sendSoon.run();
            }
            return Behaviors.same();
          })
          .onMessageEquals(WakeOverdue.INSTANCE, () -> {
            long overdueBefore = clock.millis() - settings.overdueCheck().toMillis();
            int count = add(folded, state -> state.restartPending() && state.restart().dueAtMilli() < overdueBefore, due);
            if (count > 0) {
              LOG.info("Waking {} environments whose restart was overdue by over {}", count, settings.overdueCheck());
              sendSoon.run();
            }
            return Behaviors.same();
          })
          .onMessageEquals(SendNext.INSTANCE, () -> {
            sendNext.run();
            return Behaviors.same();
          })
          .onSignal(PostStop.class, stopped -> {
            stopHearing.run();
            PENDING.set(0);
            return Behaviors.same();
          })
          // A restart (its supervisor's, after a failure) sets up a new subscription, and a new list.
          .onSignal(PreRestart.class, restarting -> {
            stopHearing.run();
            PENDING.set(0);
            return Behaviors.same();
          })
          .build();
    }));
  }

  /** Whether the environment's entity keeps a reminder: it converges, or a restart is due. */
  static boolean waits(EnvironmentState state) {
    return state.transitional() || state.restartPending();
  }

  /** Adds those of the read side that {@code which} picks to the wakes {@code due}; how many it picked. */
  private static int add(FoldedEnvironments folded, Predicate<EnvironmentState> which, Set<String> due) {
    int picked = 0;
    for (EnvironmentDirectory.Folded environment : folded.entries().values()) {
      if (which.test(environment.state())) {
        due.add(environment.state().id());
        picked++;
      }
    }
    return picked;
  }
}
