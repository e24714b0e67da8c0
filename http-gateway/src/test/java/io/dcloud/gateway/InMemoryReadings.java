package io.dcloud.gateway;

import io.dcloud.device.DeviceActivity;
import io.dcloud.device.Reading;
import io.dcloud.device.ReadingStore;
import io.dcloud.device.ReadingsFeed;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.apache.pekko.Done;

/**
 * The readings store and live feed of the gateway's tests (the real ones need Cassandra and the
 * broker, and are tested where they live): {@link #append} keeps a reading and hands it to the
 * followers of its device.
 */
public final class InMemoryReadings implements ReadingStore, ReadingsFeed {
  private final Map<String, List<Reading>> kept = new ConcurrentHashMap<>();
  private final Map<String, DeviceActivity> activities = new ConcurrentHashMap<>();
  private final Map<String, List<Consumer<Reading>>> followers = new ConcurrentHashMap<>();

  @Override
  public CompletionStage<Done> append(Reading reading) {
    kept.computeIfAbsent(reading.device(), id -> new CopyOnWriteArrayList<>()).add(reading);
    activities.merge(reading.device(), new DeviceActivity(1, 0, reading.at(), null, null), (old, one) ->
        new DeviceActivity(old.accepted() + 1, old.rejected(), reading.at(), old.lastRejectedAt(), old.lastRejectionReason()));
    followers.getOrDefault(reading.device(), List.of()).forEach(follower -> follower.accept(reading));
    return CompletableFuture.completedFuture(Done.getInstance());
  }

  @Override
  public CompletionStage<List<Reading>> read(String device, Instant since, Instant until, int limit) {
    List<Reading> found = new ArrayList<>(kept.getOrDefault(device, List.of()).stream()
        .filter(r -> !r.at().isBefore(since) && r.at().isBefore(until))
        .sorted(Comparator.comparing(Reading::at))
        .limit(limit).toList());
    return CompletableFuture.completedFuture(found);
  }

  @Override
  public CompletionStage<Done> recordRejection(String device, Instant at, String reason) {
    activities.merge(device, new DeviceActivity(0, 1, null, at, reason), (old, one) ->
        new DeviceActivity(old.accepted(), old.rejected() + 1, old.lastReadingAt(), at, reason));
    return CompletableFuture.completedFuture(Done.getInstance());
  }

  @Override
  public CompletionStage<DeviceActivity> activity(String device) {
    return CompletableFuture.completedFuture(activities.getOrDefault(device, DeviceActivity.NONE));
  }

  @Override
  public CompletionStage<Done> forget(String device) {
    kept.remove(device);
    activities.remove(device);
    return CompletableFuture.completedFuture(Done.getInstance());
  }

  @Override
  public AutoCloseable follow(String deviceId, Consumer<Reading> onReading) {
    List<Consumer<Reading>> list = followers.computeIfAbsent(deviceId, id -> new CopyOnWriteArrayList<>());
    list.add(onReading);
    return () -> list.remove(onReading);
  }

  /** How many follow the device's feed now (a closed stream no longer does). */
  public int followers(String deviceId) {
    return followers.getOrDefault(deviceId, List.of()).size();
  }
}
