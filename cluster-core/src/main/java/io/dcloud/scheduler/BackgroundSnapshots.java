package io.dcloud.scheduler;

import com.typesafe.config.ConfigFactory;
import io.micrometer.core.instrument.Metrics;
import io.micrometer.core.instrument.Timer;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.ActorRef;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.persistence.DeleteSnapshotsFailure;
import org.apache.pekko.persistence.Persistence;
import org.apache.pekko.persistence.SaveSnapshotFailure;
import org.apache.pekko.persistence.SaveSnapshotSuccess;
import org.apache.pekko.persistence.SnapshotMetadata;
import org.apache.pekko.persistence.SnapshotProtocol;
import org.apache.pekko.persistence.SnapshotSelectionCriteria;
import org.apache.pekko.persistence.typed.PersistenceId;

/**
 * The scheduler's snapshots, stored while it goes on deciding.
 *
 * <p>Pekko's typed event-sourced actors stash every command while a snapshot is being stored (its
 * {@code Running.StoringSnapshot} phase). The scheduler's snapshot holds every reservation: at
 * 80,000 of them, serializing and writing it took 100–300 ms, and every placement asked meanwhile
 * waited that long (the benchmark's slowest seconds, BENCHMARKS §10). So the scheduler tells Pekko
 * never to snapshot and does it here: when {@link SnapshotPolicy} says one is due, the state is
 * copied on the scheduler's thread at that event's sequence number (a few milliseconds), and once
 * that event's write has succeeded the copy goes to the snapshot store in the protocol Pekko itself
 * uses with snapshot store plugins; the store answers this actor later. Recovery is Pekko's own: it
 * loads the newest snapshot, whoever stored it. One snapshot is stored at a time (one that falls
 * due meanwhile is taken when the store answers), and each one
 * stored deletes those before the previous one (the previous is kept in case the newest cannot be
 * read).
 *
 * <p>{@link Persistence#snapshotStoreFor} and {@link SnapshotProtocol} are Pekko's internal API
 * (the former marked stable for plugins); {@code BackgroundSnapshotsTest} holds them to their
 * behaviour on every upgrade. Mutable; used on the scheduler's thread only.
 */
final class BackgroundSnapshots {
  private final ActorContext<Scheduler.Command> context;
  private final SnapshotPolicy policy;
  private final String persistenceId;
  /** The copy taken at {@link #takenAt}, waiting for that event's write to succeed; null when none is. */
  private SchedulerSnapshot taken;
  private long takenAt;
  /** The sequence number of the snapshot the store is writing; 0 when none is. */
  private long storingAt;
  /** The newest snapshot this incarnation stored; 0 when none yet. */
  private long storedAt;
  /** When the store was given the snapshot under way (System.nanoTime). */
  private long storingSince;
  /** A snapshot fell due while another was under way: it is taken as soon as that one is stored. */
  private boolean dueWhileStoring;

  BackgroundSnapshots(ActorContext<Scheduler.Command> context, PersistenceId persistenceId, SnapshotPolicy policy) {
    this.context = context;
    this.persistenceId = persistenceId.id();
    this.policy = policy;
  }

  /**
   * After each event is applied, before it is written (Pekko asks {@code shouldSnapshot} then):
   * takes the copy when a snapshot is due and none is under way, and asks for {@link
   * Scheduler.StoreSnapshot}, which the scheduler receives once the write is done.
   */
  void afterEvent(SchedulerState state, int decisions, long sequenceNr) {
    if (!policy.due(sequenceNr, decisions)) {
      return;
    }
    if (taken != null || storingAt != 0) {
      dueWhileStoring = true;
      return;
    }
    take(state, sequenceNr);
    context.getSelf().tell(Scheduler.StoreSnapshot.INSTANCE);
  }

  private void take(SchedulerState state, long sequenceNr) {
    policy.taken(sequenceNr, state.size());
    taken = state.snapshot();
    takenAt = sequenceNr;
  }

  /**
   * Stores the copy once the event it was taken after is written ({@code lastWritten} is the
   * scheduler's last sequence number). On {@link Scheduler.StoreSnapshot} and on the scheduler's
   * periodic tick as well, since a full stash drops messages. After a failed write the scheduler
   * restarts and {@link #recovered} drops the copy: a snapshot never holds a decision the journal lost.
   */
  void storeIfWritten(long lastWritten) {
    if (taken == null || lastWritten < takenAt) {
      return;
    }
    SnapshotMetadata metadata = SnapshotMetadata.apply(persistenceId, takenAt, System.currentTimeMillis());
    storeRef().tell(new SnapshotProtocol.SaveSnapshot(metadata, taken), replies());
    context.getLog().debug("Scheduler storing a snapshot of {} reservations at {}", taken.reservations().size(), takenAt);
    taken = null;
    storingAt = takenAt;
    storingSince = System.nanoTime();
  }

  /**
   * The snapshot store's answer to a save or a delete. A snapshot that fell due meanwhile is taken
   * at once from {@code state}, whose events up to {@code lastWritten} are all written (the answer
   * is a command): waiting for the next event would leave a quiet scheduler's recovery to replay
   * everything decided while the store was busy.
   */
  void answered(Object answer, SchedulerState state, long lastWritten) {
    if (answer instanceof SaveSnapshotSuccess success) {
      long sequenceNr = success.metadata().sequenceNr();
      if (storedAt > 0) {
        storeRef().tell(new SnapshotProtocol.DeleteSnapshots(
            persistenceId, SnapshotSelectionCriteria.apply(storedAt - 1, Long.MAX_VALUE, 0, 0)), replies());
      }
      storedAt = sequenceNr;
      storingAt = 0;
      timed("stored");
      context.getLog().debug("Scheduler stored its snapshot at {}", sequenceNr);
      if (dueWhileStoring) {
        dueWhileStoring = false;
        take(state, lastWritten);
        storeIfWritten(lastWritten);
      }
    } else if (answer instanceof SaveSnapshotFailure failure) {
      storingAt = 0;
      dueWhileStoring = false;
      timed("failed");
      context.getLog().warn("Scheduler could not store its snapshot at {} (the next one is due after as many decisions again): {}",
          failure.metadata().sequenceNr(), failure.cause().toString());
    } else if (answer instanceof DeleteSnapshotsFailure failure) {
      context.getLog().warn("Scheduler could not delete its older snapshots: {}", failure.cause().toString());
    }
  }

  /** How long the store took, from the copy handed over to its answer. */
  private void timed(String outcome) {
    Timer.builder("dcloud.scheduler.snapshots").description("Scheduler snapshots stored in the background, by outcome")
        .tag("outcome", outcome).register(Metrics.globalRegistry)
        .record(System.nanoTime() - storingSince, TimeUnit.NANOSECONDS);
  }

  /** After every recovery (also a restart after a failed write): what was under way is forgotten. */
  void recovered(long stateSize, long sequenceNr) {
    policy.recovered(stateSize, sequenceNr);
    taken = null;
    storingAt = 0;
    dueWhileStoring = false;
  }

  private ActorRef storeRef() {
    // The default snapshot store, as for the scheduler's own recovery.
    return Persistence.get(Adapter.toClassic(context.getSystem())).snapshotStoreFor("", ConfigFactory.empty());
  }

  /** Registered at each use: a restart after a journal failure may have dropped the adapter. */
  private ActorRef replies() {
    return Adapter.toClassic(context.messageAdapter(Object.class, Scheduler.SnapshotStoreAnswered::new));
  }
}
