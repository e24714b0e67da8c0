package io.dcloud.broker;

import io.dcloud.device.DeviceActivity;
import io.dcloud.device.Reading;
import io.dcloud.device.ReadingStore;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.pekko.Done;

/** What the ingest stores and rejects, kept in memory (the Cassandra store has its own tests in persistence). */
final class RecordingReadingStore implements ReadingStore {
  record Rejection(String device, Instant at, String reason) {}

  final List<Reading> readings = new CopyOnWriteArrayList<>();
  final List<Rejection> rejections = new CopyOnWriteArrayList<>();

  @Override
  public CompletionStage<Done> append(Reading reading) {
    readings.add(reading);
    return CompletableFuture.completedFuture(Done.getInstance());
  }

  @Override
  public CompletionStage<List<Reading>> read(String device, Instant since, Instant until, int limit) {
    throw new UnsupportedOperationException("the ingest only writes");
  }

  @Override
  public CompletionStage<Done> recordRejection(String device, Instant at, String reason) {
    rejections.add(new Rejection(device, at, reason));
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
