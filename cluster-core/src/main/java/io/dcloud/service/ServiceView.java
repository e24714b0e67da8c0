package io.dcloud.service;

import io.dcloud.device.BindingSlot;
import io.dcloud.resources.Resources;
import io.dcloud.serialization.CborSerializable;
import io.dcloud.spec.PublishedPort;
import java.time.Instant;
import java.util.List;

/**
 * A service as its entity answers for it. {@code replicas}: those it keeps alive (not the ones being
 * retired), each as its environment last said (status null until it answered once). {@code deleting}:
 * its replicas are being deleted, after which the service is gone. {@code batching}: the model's
 * dynamic batching (null: none).
 */
public record ServiceView(
    String name,
    ServiceDefinition.Kind kind,
    String owner,
    int version,
    int desiredReplicas,
    int port,
    ServiceDefinition.Readiness readiness,
    List<Replica> replicas,
    boolean deleting,
    ServiceDefinition.Batching batching,
    List<BindingSlot> bindings,
    Resources replicaResources,
    Integer surge,
    Integer environments,
    ServiceDefinition.Spread spread,
    ServiceDefinition.Autoscaling autoscaling,
    Load load)
    implements CborSerializable {

  /**
   * {@code bindings}: the device types the app consumes (null in answers from before bindings:
   * none). {@code replicaResources}: what each replica asks for (what a scale adds to its owner's
   * usage); null in answers from before. {@code surge}: the replicas a roll adds beyond the desired
   * count (null in answers from before: 1). {@code environments}: the environments it holds now, its
   * live replicas and those it retires until they are gone, as its owner's quota counts them (null
   * in answers from before). {@code spread}: REQUIRED when its replicas must run on distinct nodes
   * (null: preferred, and in answers from before). {@code autoscaling}: the bounds within which it sets
   * its own replica count (null: scaled by hand, and in answers from before); {@code load}: what its
   * load asks for (null when it does not autoscale, or has not decided since its entity started).
   */
  public ServiceView {
    bindings = bindings == null ? List.of() : List.copyOf(bindings);
  }

  /** Scaled by hand. */
  public ServiceView(String name, ServiceDefinition.Kind kind, String owner, int version, int desiredReplicas, int port,
      ServiceDefinition.Readiness readiness, List<Replica> replicas, boolean deleting, ServiceDefinition.Batching batching,
      List<BindingSlot> bindings, Resources replicaResources, Integer surge, Integer environments,
      ServiceDefinition.Spread spread) {
    this(name, kind, owner, version, desiredReplicas, port, readiness, replicas, deleting, batching, bindings,
        replicaResources, surge, environments, spread, null, null);
  }

  /**
   * An autoscaled service's load: the calls in progress at every gateway together (a time-weighted
   * average over the look-back window) and the replica count they ask for, within its bounds;
   * {@code scalesAt}: when the service takes that count if the load keeps asking for it (its upscale or
   * downscale delay running; null when it has that count, and in answers from before).
   */
  public record Load(double ongoingRequests, int wantedReplicas, Instant scalesAt) implements CborSerializable {}

  /** Spread where the cluster allows. */
  public ServiceView(String name, ServiceDefinition.Kind kind, String owner, int version, int desiredReplicas, int port,
      ServiceDefinition.Readiness readiness, List<Replica> replicas, boolean deleting, ServiceDefinition.Batching batching,
      List<BindingSlot> bindings, Resources replicaResources, Integer surge, Integer environments) {
    this(name, kind, owner, version, desiredReplicas, port, readiness, replicas, deleting, batching, bindings,
        replicaResources, surge, environments, null);
  }

  /** Without the roll's surge (the default one). */
  public ServiceView(String name, ServiceDefinition.Kind kind, String owner, int version, int desiredReplicas, int port,
      ServiceDefinition.Readiness readiness, List<Replica> replicas, boolean deleting, ServiceDefinition.Batching batching,
      List<BindingSlot> bindings, Resources replicaResources) {
    this(name, kind, owner, version, desiredReplicas, port, readiness, replicas, deleting, batching, bindings,
        replicaResources, null, null);
  }

  /** The environments it holds now: its desired replicas when the answer does not say. */
  public int heldEnvironments() {
    return environments == null ? desiredReplicas : environments;
  }

  /** How many replicas beyond the desired count its rolling updates add (0 or 1). */
  public int rollingSurge() {
    return surge == null ? ServiceDefinition.DEFAULT_SURGE : surge;
  }

  /** Without what each replica asks for. */
  public ServiceView(String name, ServiceDefinition.Kind kind, String owner, int version, int desiredReplicas, int port,
      ServiceDefinition.Readiness readiness, List<Replica> replicas, boolean deleting, ServiceDefinition.Batching batching,
      List<BindingSlot> bindings) {
    this(name, kind, owner, version, desiredReplicas, port, readiness, replicas, deleting, batching, bindings, null);
  }

  /** Without device bindings. */
  public ServiceView(String name, ServiceDefinition.Kind kind, String owner, int version, int desiredReplicas, int port,
      ServiceDefinition.Readiness readiness, List<Replica> replicas, boolean deleting, ServiceDefinition.Batching batching) {
    this(name, kind, owner, version, desiredReplicas, port, readiness, replicas, deleting, batching, List.of());
  }

  /**
   * {@code ready}: RUNNING and its readiness path answered 2xx (null while its node has not probed it).
   * {@code version}: the service version it runs (null in answers from before versions: 1).
   * {@code published}: the service's port as the engine published it on {@code node}, so a gateway
   * that can reach it calls it directly (null: not known, or an answer from before direct calls).
   * {@code reason}: why its environment is in its status, as the environment says it (why it waits
   * in the queue, say); null when it gave none, or in an answer from before reasons.
   */
  public record Replica(String id, String node, String status, Boolean ready, Integer version, PublishedPort published,
      String reason) implements CborSerializable {

    /** Without its published port: calls go through its node. */
    public Replica(String id, String node, String status, Boolean ready, Integer version) {
      this(id, node, status, ready, version, null, null);
    }
  }
}
