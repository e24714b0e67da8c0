package io.dcloud.device;

import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.Done;

/** Where accepted readings are kept (Cassandra, for the configured retention) and rejections counted. */
public interface ReadingStore {
  CompletionStage<Done> append(Reading reading);

  /** Readings of {@code device} with {@code since <= at < until}, oldest first, at most {@code limit}. */
  CompletionStage<List<Reading>> read(String device, Instant since, Instant until, int limit);

  CompletionStage<Done> recordRejection(String device, Instant at, String reason);

  CompletionStage<DeviceActivity> activity(String device);

  /** Forgets a deleted device's readings and counts. */
  CompletionStage<Done> forget(String device);
}
