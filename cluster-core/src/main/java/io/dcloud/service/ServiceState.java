package io.dcloud.service;

import io.dcloud.serialization.CborSerializable;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * A service as its events made it ({@code definition == null}: none, or deleted). {@code replicas}:
 * every replica environment not yet gone, those being retired included; {@code nextOrdinal}: the
 * ordinal of the next replica, never reused within one {@code uid}, so replica ids never repeat.
 */
public record ServiceState(
    ServiceDefinition definition,
    String owner,
    String uid,
    int version,
    int desired,
    List<Replica> replicas,
    int nextOrdinal,
    boolean deleting)
    implements CborSerializable {

  public static final ServiceState NONE = new ServiceState(null, null, null, 0, 0, List.of(), 0, false);

  /**
   * {@code retiring}: no longer counted, deleted at each look until its environment is gone.
   * {@code version}: the service version it was made for (null, from before versions: 1).
   */
  public record Replica(String id, int ordinal, boolean retiring, Integer version) implements CborSerializable {
    public int runs() {
      return version == null ? 1 : version;
    }
  }

  public boolean exists() {
    return definition != null;
  }

  public List<Replica> live() {
    return replicas.stream().filter(r -> !r.retiring()).toList();
  }

  /** The live replicas of the current version. */
  public List<Replica> current() {
    return live().stream().filter(r -> r.runs() == version).toList();
  }

  /** The live replicas of an earlier version: while there are some, the service is rolling. */
  public List<Replica> outdated() {
    return live().stream().filter(r -> r.runs() != version).toList();
  }

  public Replica replica(String environmentId) {
    return replicas.stream().filter(r -> r.id().equals(environmentId)).findFirst().orElse(null);
  }

  /**
   * The environment id of this service's replica {@code ordinal}: a function of both, so creating it
   * again (after a crash, a lost message) never makes a second environment.
   */
  public String replicaId(int ordinal) {
    return UUID.nameUUIDFromBytes(("dcloud-service:" + uid + ":" + ordinal).getBytes(StandardCharsets.UTF_8)).toString();
  }

  public ServiceState apply(ServiceEntity.Event event) {
    if (event instanceof ServiceEntity.Created e) {
      ServiceDefinition.Autoscaling autoscaling = e.definition().autoscaling();
      int count = autoscaling == null ? e.definition().replicas() : autoscaling.clamp(e.definition().replicas());
      return new ServiceState(e.definition(), e.owner(), e.uid(), 1, count, List.of(), 0, false);
    } else if (event instanceof ServiceEntity.Scaled e) {
      return new ServiceState(definition, owner, uid, version, e.replicas(), replicas, nextOrdinal, deleting);
    } else if (event instanceof ServiceEntity.ReplicaAdded e) {
      List<Replica> more = new ArrayList<>(replicas);
      // A replica is always added for the version the service is at.
      more.add(new Replica(e.environmentId(), e.ordinal(), false, version));
      return new ServiceState(definition, owner, uid, version, desired, List.copyOf(more),
          Math.max(nextOrdinal, e.ordinal() + 1), deleting);
    } else if (event instanceof ServiceEntity.ReplicaRetiring e) {
      List<Replica> changed = replicas.stream()
          .map(r -> r.id().equals(e.environmentId()) ? new Replica(r.id(), r.ordinal(), true, r.version()) : r).toList();
      return new ServiceState(definition, owner, uid, version, desired, changed, nextOrdinal, deleting);
    } else if (event instanceof ServiceEntity.ReplicaGone e) {
      List<Replica> fewer = replicas.stream().filter(r -> !r.id().equals(e.environmentId())).toList();
      return new ServiceState(definition, owner, uid, version, desired, fewer, nextOrdinal, deleting);
    } else if (event instanceof ServiceEntity.Updated e) {
      // The new definition says how many replicas, unless the service scales itself: then as many as
      // now, within its bounds. Its replicas replace the others as they roll.
      ServiceDefinition.Autoscaling autoscaling = e.definition().autoscaling();
      int count = autoscaling == null ? e.definition().replicas() : autoscaling.clamp(desired);
      return new ServiceState(e.definition(), owner, uid, e.version(), count, replicas, nextOrdinal, deleting);
    } else if (event instanceof ServiceEntity.BatchingChanged e) {
      return new ServiceState(definition.withBatching(e.batching()), owner, uid, version, desired, replicas, nextOrdinal,
          deleting);
    } else if (event instanceof ServiceEntity.SurgeChanged e) {
      return new ServiceState(definition.withSurge(e.surge()), owner, uid, version, desired, replicas, nextOrdinal,
          deleting);
    } else if (event instanceof ServiceEntity.AutoscalingChanged e) {
      int count = e.autoscaling() == null ? desired : e.autoscaling().clamp(desired);
      return new ServiceState(definition.withAutoscaling(e.autoscaling()), owner, uid, version, count, replicas,
          nextOrdinal, deleting);
    } else if (event instanceof ServiceEntity.DeleteRequested) {
      return new ServiceState(definition, owner, uid, version, desired, replicas, nextOrdinal, true);
    } else if (event instanceof ServiceEntity.Deleted) {
      return NONE;
    }
    return this;
  }
}
