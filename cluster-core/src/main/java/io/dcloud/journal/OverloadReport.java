package io.dcloud.journal;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Metrics;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.apache.pekko.actor.Dropped;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.eventstream.EventStream;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import scala.Product;

/**
 * One WARN per period for what an overload repeats thousands of times, with counts, instead of one
 * line each: the messages Pekko dropped, and the journal failures of event-sourced entities.
 *
 * <p>In an overload (the journal slow or its circuit breaker open) the scheduler and entities wait
 * on the journal with full stash buffers, and every request re-sent to them is dropped: hundreds of
 * thousands a minute. Nothing is lost for good (entities re-send Place, the scheduler re-sends its
 * wake-ups), but the drops are worth one line. Pekko's own line per dropped message is filtered
 * out of the log (see the app's logback.xml); Pekko publishes each drop as {@link Dropped}. Each
 * entity that fails to recover or persist restarts with backoff, logged at DEBUG; it publishes a
 * {@link JournalFailure}, counted here.
 */
public final class OverloadReport {
  private OverloadReport() {}

  private enum Report { INSTANCE }

  /** {@code root} is the whole configuration; the period is {@code dcloud.overload.report-interval}. */
  public static Behavior<Object> create(com.typesafe.config.Config root) {
    Duration interval = root.getDuration("dcloud.overload.report-interval");
    return Behaviors.setup(context -> Behaviors.withTimers(timers -> {
      context.setLoggerName(OverloadReport.class);
      context.getSystem().eventStream().tell(new EventStream.Subscribe<>(Dropped.class, context.getSelf().narrow()));
      context.getSystem().eventStream().tell(new EventStream.Subscribe<>(JournalFailure.class, context.getSelf().narrow()));
      timers.startTimerWithFixedDelay(Report.INSTANCE, interval);
      // Logged once the subscriptions are sent: what is published after it is counted.
      context.getLog().info("Counting dropped messages and journal failures; reporting them every {}", interval);
      Map<String, Long> counts = new TreeMap<>();
      Map<String, Long> failures = new TreeMap<>();
      return Behaviors.receive(Object.class)
          .onMessage(Dropped.class, dropped -> {
            counts.merge(describe(dropped), 1L, Long::sum);
            Counter.builder("dcloud.messages.dropped").description("Messages Pekko dropped (their senders send again)")
                .register(Metrics.globalRegistry).increment();
            return Behaviors.same();
          })
          .onMessage(JournalFailure.class, failure -> {
            failures.merge(failure.actorKind() + " (" + failure.cause() + ")", 1L, Long::sum);
            // By kind only (a handful): the causes are free text.
            Counter.builder("dcloud.journal.failures").description("Journal failures of event-sourced actors, by kind")
                .tag("actor", failure.actorKind()).register(Metrics.globalRegistry).increment();
            return Behaviors.same();
          })
          .onMessageEquals(Report.INSTANCE, () -> {
            if (!failures.isEmpty()) {
              long total = failures.values().stream().mapToLong(Long::longValue).sum();
              context.getLog().warn("{} journal failures in the last {} (each actor restarts with backoff): {}", total, interval,
                  failures.entrySet().stream().map(e -> e.getValue() + " " + e.getKey()).collect(Collectors.joining("; ")));
              failures.clear();
            }
            if (!counts.isEmpty()) {
              long total = counts.values().stream().mapToLong(Long::longValue).sum();
              context.getLog().warn("Dropped {} messages in the last {} (their senders send them again): {}", total, interval,
                  counts.entrySet().stream().map(e -> e.getValue() + " " + e.getKey()).collect(Collectors.joining("; ")));
              counts.clear();
            }
            return Behaviors.same();
          })
          .build();
    }));
  }

  /** E.g. "Scheduler$Place to scheduler (Stash buffer is full)"; every entity of a type counts as one recipient. */
  private static String describe(Dropped dropped) {
    Object message = dropped.message();
    // Event-sourced actors stash (and drop) commands wrapped in Pekko's IncomingCommand(command).
    if (message instanceof Product product && product.productArity() == 1 && "IncomingCommand".equals(product.productPrefix())) {
      message = product.productElement(0);
    }
    String type = message.getClass().getName();
    type = type.substring(type.lastIndexOf('.') + 1);
    String path = dropped.recipient().path().toStringWithoutAddress();
    int sharding = path.indexOf("/sharding/");
    String recipient = sharding >= 0
        ? path.substring(sharding + "/sharding/".length()).split("/")[0] + " entities"
        : dropped.recipient().path().name();
    return type + " to " + recipient + " (" + dropped.reason() + ")";
  }
}
