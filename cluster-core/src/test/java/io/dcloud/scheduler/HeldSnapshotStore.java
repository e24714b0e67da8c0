package io.dcloud.scheduler;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.persistence.SelectedSnapshot;
import org.apache.pekko.persistence.SnapshotMetadata;
import org.apache.pekko.persistence.SnapshotSelectionCriteria;
import org.apache.pekko.persistence.snapshot.japi.SnapshotStore;
import scala.concurrent.Future;
import scala.jdk.javaapi.FutureConverters;

/**
 * An in-memory snapshot store plugin whose saves complete only when the test says so: a snapshot
 * being written for as long as the test likes. One per actor system (its state is static: the
 * plugin is an actor Pekko creates).
 */
public final class HeldSnapshotStore extends SnapshotStore {
  /** A save the store has not finished. */
  record Save(SnapshotMetadata metadata, Object snapshot, CompletableFuture<Void> done) {
    void finish() {
      STORED.put(metadata.sequenceNr(), SelectedSnapshot.create(metadata, snapshot));
      done.complete(null);
    }
  }

  static final BlockingQueue<Save> SAVES = new LinkedBlockingQueue<>();
  static final Map<Long, SelectedSnapshot> STORED = new ConcurrentSkipListMap<>();
  static final AtomicInteger LOADS = new AtomicInteger();

  @Override
  public Future<Optional<SelectedSnapshot>> doLoadAsync(String persistenceId, SnapshotSelectionCriteria criteria) {
    LOADS.incrementAndGet();
    Optional<SelectedSnapshot> newest = STORED.values().stream()
        .filter(selected -> criteria.matches(selected.metadata()))
        .reduce((older, newer) -> newer);
    return Future.successful(newest);
  }

  @Override
  public Future<Void> doSaveAsync(SnapshotMetadata metadata, Object snapshot) {
    CompletableFuture<Void> done = new CompletableFuture<>();
    SAVES.add(new Save(metadata, snapshot, done));
    return FutureConverters.asScala(done);
  }

  @Override
  public Future<Void> doDeleteAsync(SnapshotMetadata metadata) {
    STORED.remove(metadata.sequenceNr());
    return Future.successful(null);
  }

  @Override
  public Future<Void> doDeleteAsync(String persistenceId, SnapshotSelectionCriteria criteria) {
    STORED.values().removeIf(selected -> criteria.matches(selected.metadata()));
    return Future.successful(null);
  }
}
