package io.dcloud.scheduler;

import io.dcloud.journal.JournalBackoff;
import java.time.Duration;
import org.apache.pekko.actor.typed.BackoffSupervisorStrategy;

/** Tunables from {@code dcloud.scheduler} (see reference.conf). */
public record SchedulerSettings(
    Placement.Policy policy,
    int maxPlacementsPerBatch,
    int candidatesPerPlacement,
    int snapshotEvery,
    Duration lostNodeCheckInterval,
    Duration lostNodeStaleAfter,
    Duration lossResendInterval,
    Duration wakeUpResendInterval,
    BackoffSupervisorStrategy journalBackoff,
    boolean datasetLocality,
    Duration nodeGossipReadInterval,
    String replicaSpreadLabel) {
  /** {@code root} is the whole configuration. */
  public static SchedulerSettings fromConfig(com.typesafe.config.Config root) {
    com.typesafe.config.Config config = root.getConfig("dcloud.scheduler");
    return new SchedulerSettings(
        Placement.Policy.valueOf(config.getString("policy").toUpperCase(java.util.Locale.ROOT)),
        config.getInt("max-placements-per-batch"),
        config.getInt("candidates-per-placement"),
        config.getInt("snapshot-every"),
        config.getDuration("lost-node-check-interval"),
        config.getDuration("lost-node-stale-after"),
        config.getDuration("loss-resend-interval"),
        config.getDuration("wake-up-resend-interval"),
        JournalBackoff.fromConfig(root),
        config.getBoolean("dataset-locality"),
        config.getDuration("node-gossip-read-interval"),
        config.getString("replica-spread-label").strip());
  }

  /** These settings, with a snapshot after every {@code events} events or decisions. */
  public SchedulerSettings withSnapshotEvery(int events) {
    return new SchedulerSettings(policy, maxPlacementsPerBatch, candidatesPerPlacement, events, lostNodeCheckInterval,
        lostNodeStaleAfter, lossResendInterval, wakeUpResendInterval, journalBackoff, datasetLocality,
        nodeGossipReadInterval, replicaSpreadLabel);
  }
}
