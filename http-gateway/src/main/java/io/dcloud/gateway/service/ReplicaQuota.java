package io.dcloud.gateway.service;

import io.dcloud.gateway.identity.Quotas;
import io.dcloud.identity.Caller;
import io.dcloud.quota.QuotaLedger;
import io.dcloud.resources.Resources;
import io.dcloud.service.ServiceView;
import java.util.Set;
import java.util.concurrent.CompletionStage;

/**
 * A service's replicas count against their owner's quota as the environments they are: a create,
 * an update or a scale is refused (403 quota-exceeded, naming each limit) when the replicas it
 * would add do not fit beside what the owner holds, the service's present replicas included
 * (Kubernetes' ResourceQuota admits a Deployment's pods alike). Once passed, the quota ledger holds
 * what the replicas lack until they exist ({@link QuotaLedger.ServiceHold}), so two requests at
 * once cannot both take the same room; a scale down lowers the hold.
 */
final class ReplicaQuota {
  private final Quotas quotas;

  ReplicaQuota(Quotas quotas) {
    this.quotas = quotas;
  }

  /**
   * Completes when {@code replicas} replicas of {@code each} fit {@code owner}'s quota beyond what
   * {@code present} (null: a new service) holds now, and holds them; fails with the 403 otherwise.
   */
  CompletionStage<Void> check(Caller owner, String service, Resources each, int replicas, ServiceView present) {
    int held = present == null ? 0 : present.desiredReplicas();
    Resources heldEach = present == null || present.replicaResources() == null ? each : present.replicaResources();
    Resources more = new Resources(
        Math.max(0, each.milliCpus() * replicas - heldEach.milliCpus() * held),
        Math.max(0, each.memoryBytes() * replicas - heldEach.memoryBytes() * held),
        Math.max(0, each.gpus() * replicas - heldEach.gpus() * held),
        Math.max(0, each.storageBytes() * replicas - heldEach.storageBytes() * held),
        each.gpuModel());
    int moreReplicas = Math.max(0, replicas - held);
    // Asked even when it adds nothing (a scale down): the ledger's hold for the service follows it.
    return quotas.holdReplicas(owner, more, moreReplicas, new QuotaLedger.ServiceHold(service, replicas, each),
        "this service's " + replicas + " replicas");
  }

  /** The owner as the quota sees them: the caller when it is theirs (an admin acting for another: that user, by name). */
  static Caller owner(String owner, Caller caller) {
    return owner == null || owner.equals(caller.username())
        ? caller
        : new Caller(owner, Set.of(), null, null, null, false, Set.of());
  }
}
