package io.dcloud.broker;

import io.dcloud.device.DeviceActivity;
import io.dcloud.device.Reading;
import io.dcloud.device.ReadingStore;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.Done;

/**
 * A store whose writes finish when the test says: each append is held until {@link #release}d
 * (a slow Cassandra, or a gateway that dies before its writes finish), or fails while
 * {@link #failing} is above zero (a Cassandra that refuses the write).
 */
final class HeldReadingStore implements ReadingStore {
  record Write(Reading reading, CompletableFuture<Done> done) {}

  final List<Write> writes = new CopyOnWriteArrayList<>();
  /** So many appends from now fail at once. */
  final AtomicInteger failing = new AtomicInteger();

  @Override
  public CompletionStage<Done> append(Reading reading) {
    if (failing.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
      writes.add(new Write(reading, CompletableFuture.failedFuture(new IllegalStateException("write refused"))));
      return CompletableFuture.failedFuture(new IllegalStateException("write refused"));
    }
    CompletableFuture<Done> done = new CompletableFuture<>();
    writes.add(new Write(reading, done));
    return done;
  }

  /** Finishes the held write of the reading whose {@code temperature} is {@code value}. */
  void release(double value) {
    writes.stream().filter(w -> w.reading().values().get("temperature").equals(value))
        .forEach(w -> w.done().complete(Done.getInstance()));
  }

  @Override
  public CompletionStage<List<Reading>> read(String device, Instant since, Instant until, int limit) {
    throw new UnsupportedOperationException("the ingest only writes");
  }

  @Override
  public CompletionStage<Done> recordRejection(String device, Instant at, String reason) {
    return CompletableFuture.completedFuture(Done.getInstance());
  }

  @Override
  public CompletionStage<DeviceActivity> activity(String device) {
    throw new UnsupportedOperationException("the ingest only writes");
  }

  @Override
  public CompletionStage<Done> forget(String device) {
    throw new UnsupportedOperationException("the ingest only writes");
  }
}
