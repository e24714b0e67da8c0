package io.dcloud.device;

import io.dcloud.device.DeviceRegistry.Command;
import io.dcloud.device.DeviceRegistry.EraseDevice;
import io.dcloud.device.DeviceRegistry.ErasureEnded;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The registry's erasures of deleted devices, run from its actor: each ends as an {@link ErasureEnded}
 * the registry records once it succeeded, and one that failed is due again ({@link EraseDevice}) after
 * {@code retryInterval}. What runs is kept in memory only: the registry's view lists the erasures
 * still owed ({@link RegistryView#erasing}), so a registry that moved or restarted starts them again.
 */
final class DeviceErasure {
  private static final Logger log = LoggerFactory.getLogger(DeviceErasure.class);

  private final ActorContext<Command> context;
  private final DeviceEraser eraser;
  private final Duration retryInterval;
  private final Set<String> running = new HashSet<>();

  DeviceErasure(ActorContext<Command> context, DeviceEraser eraser, Duration retryInterval) {
    this.context = context;
    this.eraser = eraser;
    this.retryInterval = retryInterval;
  }

  /** Starts erasing {@code deviceId} unless it is being erased already. */
  void start(String deviceId, String deletedBy) {
    if (!running.add(deviceId)) {
      return;
    }
    CompletionStage<Done> erased;
    try {
      erased = eraser.erase(deviceId, deletedBy);
    } catch (RuntimeException e) {
      erased = CompletableFuture.failedFuture(e);
    }
    context.pipeToSelf(erased, (done, failure) -> new ErasureEnded(deviceId, failure));
  }

  /** True when {@code ended} erased the device; a failure is logged and due again after the retry interval. */
  boolean ended(ErasureEnded ended) {
    running.remove(ended.id());
    if (ended.failure() == null) {
      return true;
    }
    log.warn("What deleted device {} left was not erased ({}); trying again in {}", ended.id(), ended.failure().toString(),
        retryInterval);
    context.scheduleOnce(retryInterval, context.getSelf(), new EraseDevice(ended.id()));
    return false;
  }
}
