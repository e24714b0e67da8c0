package io.dcloud.device;

import java.time.Duration;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import org.apache.pekko.Done;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityRef;

/**
 * Erases what a deleted device left: its readings and their counts, and a controller's commands.
 * The registry calls it after each deletion, and again until it succeeds: it must be idempotent.
 */
@FunctionalInterface
public interface DeviceEraser {
  /** {@code deletedBy}: who deleted the device (recorded with the commands it drops). */
  CompletionStage<Done> erase(String deviceId, String deletedBy);

  /**
   * Forgets the device's readings in {@code readings} and tells its command entity ({@code commands},
   * which must be started on the node: sharding refuses at once otherwise) to forget its commands,
   * waiting at most {@code timeout} for the entity. Done when both are.
   */
  static DeviceEraser of(ReadingStore readings, Function<String, EntityRef<DeviceCommands.Command>> commands,
      Duration timeout) {
    return (deviceId, deletedBy) -> readings.forget(deviceId).thenCompose(forgotten -> commands.apply(deviceId)
        .ask(replyTo -> new DeviceCommands.Forget(deletedBy, replyTo), timeout));
  }
}
