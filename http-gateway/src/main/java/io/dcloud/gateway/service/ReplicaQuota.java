package io.dcloud.gateway.service;

import io.dcloud.gateway.identity.Quotas;
import io.dcloud.identity.Caller;
import io.dcloud.quota.QuotaLedger;
import io.dcloud.resources.Resources;
import io.dcloud.service.ServiceDefinition;
import io.dcloud.service.ServiceView;
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
    int held = present == null ? 0 : reserved(present);
    Resources more = minus(times(each, replicas), times(heldEach(present, each), held), each);
    return hold(owner, service, more, Math.max(0, replicas - held), replicas, each,
        "this service's " + replicas + " replicas", "");
  }

  /**
   * As {@link #check}, for an update of {@code present} that rolls to replicas of {@code each} with a
   * surge of one: at its fullest a roll holds {@code replicas} replicas and one more, a mix of both
   * versions, so this asks room for {@code replicas} of the larger of the two and one of the smaller
   * (each resource apart). The surge itself is checked, not held: it is made within a moment of the
   * update, and a hold would outlive an update that changes nothing. What the service holds beyond its
   * desired count now — the surge of a roll this one takes over, a replica being retired — is part of
   * that peak (the service never holds more than the desired count and the surge), and the owner's
   * usage counts it already: it is not asked for a second time.
   */
  CompletionStage<Void> checkWithSurge(Caller owner, String service, Resources each, int replicas, ServiceView present) {
    Resources heldEach = heldEach(present, each);
    Resources larger = new Resources(Math.max(each.milliCpus(), heldEach.milliCpus()),
        Math.max(each.memoryBytes(), heldEach.memoryBytes()), Math.max(each.gpus(), heldEach.gpus()),
        Math.max(each.storageBytes(), heldEach.storageBytes()), each.gpuModel());
    Resources smaller = new Resources(Math.min(each.milliCpus(), heldEach.milliCpus()),
        Math.min(each.memoryBytes(), heldEach.memoryBytes()), Math.min(each.gpus(), heldEach.gpus()),
        Math.min(each.storageBytes(), heldEach.storageBytes()), each.gpuModel());
    Resources peak = times(larger, replicas).plus(smaller);
    int held = Math.max(reserved(present), present.heldEnvironments());
    Resources more = minus(peak, times(heldEach, held), each);
    return hold(owner, service, more, Math.max(0, replicas + 1 - held), replicas, each,
        "rolling this service's " + replicas + " replicas to a new version with one more at a time (its surge)",
        ". Set \"surge\": 0 to replace its replicas one at a time within the quota, or scale it down first");
  }

  private CompletionStage<Void> hold(Caller owner, String service, Resources more, int moreReplicas, int replicas,
      Resources each, String what, String hint) {
    // Asked even when it adds nothing (a scale down): the ledger's hold for the service follows it.
    return quotas.holdReplicas(owner, more, moreReplicas, new QuotaLedger.ServiceHold(service, replicas, each), what,
        hint);
  }

  /**
   * The replicas a service's room in its owner's quota is for: its replica count, or, when it scales
   * itself, its most (its autoscaling never takes what the quota did not grant).
   */
  static int reserved(ServiceDefinition definition) {
    return definition.autoscaling() == null ? definition.replicas() : definition.autoscaling().maxReplicas();
  }

  private static int reserved(ServiceView service) {
    return service.autoscaling() == null ? service.desiredReplicas() : service.autoscaling().maxReplicas();
  }

  private static Resources heldEach(ServiceView present, Resources each) {
    return present == null || present.replicaResources() == null ? each : present.replicaResources();
  }

  private static Resources times(Resources r, int n) {
    return new Resources(r.milliCpus() * n, r.memoryBytes() * n, r.gpus() * n, r.storageBytes() * n, r.gpuModel());
  }

  /** What {@code total} asks beyond {@code held}, none of a resource it asks less of. */
  private static Resources minus(Resources total, Resources held, Resources each) {
    return new Resources(Math.max(0, total.milliCpus() - held.milliCpus()),
        Math.max(0, total.memoryBytes() - held.memoryBytes()), Math.max(0, total.gpus() - held.gpus()),
        Math.max(0, total.storageBytes() - held.storageBytes()), each.gpuModel());
  }
}
