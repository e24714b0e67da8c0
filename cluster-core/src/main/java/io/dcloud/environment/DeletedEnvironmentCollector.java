package io.dcloud.environment;

import com.typesafe.config.Config;
import io.dcloud.ask.Asks;
import io.dcloud.journal.JournalEraser;
import io.dcloud.spec.Durations;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Metrics;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;
import java.util.function.Function;
import org.apache.pekko.actor.NoSerializationVerificationNeeded;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Collects deleted environments once their retention has passed: their events are erased from the
 * journal, the read side forgets them and their entity stops, so a cluster with churn does not keep
 * every environment ever deleted (in each gateway's memory, in the journal, and in the read side's
 * sweeps). Nomad collects its jobs the same way ({@code job_gc_threshold}).
 *
 * <p>Runs as a cluster singleton on a control node and reads that node's own read side: which
 * environments are deleted, and since when. It tells that node's
 * directory to forget each one collected; the other gateways' directories forget it at their next
 * full read of the journal, which no longer lists it. A few at a time ({@code batch} per round):
 * an erase is a Cassandra write per partition of the environment's events (one, in practice). An
 * erase that fails is tried again next round.
 *
 * <p>Before its events go, what must outlive them is kept ({@code keep}: its usage, for the
 * monthly reports); an environment whose keeping fails is not erased this round.
 */
public final class DeletedEnvironmentCollector {
  private static final Logger LOG = LoggerFactory.getLogger(DeletedEnvironmentCollector.class);
  private static final String OFF = "off";

  public sealed interface Command {}

  private enum Collect implements Command, NoSerializationVerificationNeeded { INSTANCE }

  private record Erased(String environmentId, Throwable failure) implements Command, NoSerializationVerificationNeeded {}

  /**
   * {@code retention}: how long a deleted environment is kept (null: forever, nothing runs);
   * {@code interval}: how often it looks; {@code batch}: at most this many erased per round.
   */
  public record Settings(Duration retention, Duration interval, int batch) {
    public static Settings fromConfig(Config root) {
      Config config = root.getConfig("dcloud.environment.deleted");
      return new Settings(
          OFF.equals(config.getString("retention")) ? null : config.getDuration("retention"),
          config.getDuration("collect-interval"),
          config.getInt("collect-batch"));
    }

    public boolean enabled() {
      return retention != null;
    }
  }

  private DeletedEnvironmentCollector() {}

  /**
   * {@code folded} and {@code directory}: the read side of the node it runs on; {@code keep}
   * keeps what must outlive an environment's events, given its id, and completes once kept;
   * {@code stopEntity} stops an environment's entity, so one still awake does not answer for an
   * environment the journal no longer has.
   */
  public static Behavior<Command> create(
      Settings settings,
      FoldedEnvironments folded,
      ActorRef<EnvironmentDirectory.Command> directory,
      Function<String, CompletionStage<?>> keep,
      JournalEraser eraser,
      Consumer<String> stopEntity,
      Clock clock) {
    return Behaviors.setup(context -> Behaviors.withTimers(timers -> {
      timers.startTimerWithFixedDelay(Collect.INSTANCE, settings.interval());
      return new Rounds(context, settings, folded, directory, keep, eraser, stopEntity, clock).idle();
    }));
  }

  /** The rounds of collection: at most one runs at a time. */
  private static final class Rounds {
    private final ActorContext<Command> context;
    private final Settings settings;
    private final FoldedEnvironments folded;
    private final ActorRef<EnvironmentDirectory.Command> directory;
    private final Function<String, CompletionStage<?>> keep;
    private final JournalEraser eraser;
    private final Consumer<String> stopEntity;
    private final Clock clock;
    private final Counter collected = Counter.builder("dcloud.environment.collected")
        .description("Deleted environments whose events were erased once their retention had passed")
        .register(Metrics.globalRegistry);
    /** The round's environments whose erase has not answered yet. */
    private final Set<String> erasing = new HashSet<>();
    private int erased;
    private Throwable firstFailure;

    Rounds(ActorContext<Command> context, Settings settings, FoldedEnvironments folded,
        ActorRef<EnvironmentDirectory.Command> directory, Function<String, CompletionStage<?>> keep, JournalEraser eraser,
        Consumer<String> stopEntity, Clock clock) {
      this.context = context;
      this.settings = settings;
      this.folded = folded;
      this.directory = directory;
      this.keep = keep;
      this.eraser = eraser;
      this.stopEntity = stopEntity;
      this.clock = clock;
    }

    Behavior<Command> idle() {
      return Behaviors.receive(Command.class)
          .onMessageEquals(Collect.INSTANCE, this::begin)
          .build();
    }

    private Behavior<Command> begin() {
      long deletedBefore = clock.millis() - settings.retention().toMillis();
      List<EnvironmentDirectory.Folded> due = new ArrayList<>();
      for (EnvironmentDirectory.Folded environment : folded.entries().values()) {
        if (due.size() == settings.batch()) {
          break;
        }
        if (deletedBefore(environment.state(), deletedBefore)) {
          due.add(environment);
        }
      }
      if (due.isEmpty()) {
        return Behaviors.same();
      }
      erased = 0;
      firstFailure = null;
      for (EnvironmentDirectory.Folded environment : due) {
        String id = environment.state().id();
        erasing.add(id);
        Asks.pipeToSelf(context, keep.apply(id).thenCompose(kept -> eraser.erase(EnvironmentSharding.persistenceId(id))),
            (done, failure) -> new Erased(id, failure));
      }
      return running();
    }

    /** Rounds are not piled on a slow journal: a round's ticks are ignored until it ends. */
    private Behavior<Command> running() {
      return Behaviors.receive(Command.class)
          .onMessageEquals(Collect.INSTANCE, Behaviors::same)
          .onMessage(Erased.class, this::onErased)
          .build();
    }

    private Behavior<Command> onErased(Erased result) {
      erasing.remove(result.environmentId());
      if (result.failure() == null) {
        directory.tell(new EnvironmentDirectory.Forget(result.environmentId()));
        stopEntity.accept(result.environmentId());
        collected.increment();
        erased++;
      } else if (firstFailure == null) {
        firstFailure = result.failure();
      }
      if (!erasing.isEmpty()) {
        return Behaviors.same();
      }
      if (erased > 0) {
        LOG.info("Collected {} environment(s) deleted more than {} ago: their events are erased",
            erased, Durations.format(settings.retention()));
      }
      if (firstFailure != null) {
        LOG.warn("Could not keep the usage of, or erase the events of, some environments deleted more than {} ago; trying again in {}: {}",
            Durations.format(settings.retention()), Durations.format(settings.interval()), firstFailure.toString());
      }
      return idle();
    }

    /** Deleted, and its deletion (its last history step) before {@code millis}. */
    private static boolean deletedBefore(EnvironmentState state, long millis) {
      List<EnvironmentState.Step> steps = state.steps();
      return state.status() == EnvironmentStatus.DELETED
          && !steps.isEmpty()
          && steps.get(steps.size() - 1).atMilli() < millis;
    }
  }
}
