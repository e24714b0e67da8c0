package io.dcloud.service;

import io.dcloud.contracts.ImageRecipe;
import io.dcloud.device.BindingSlot;
import io.dcloud.serialization.CborSerializable;
import io.dcloud.spec.EnvironmentSpec;
import java.util.List;

/**
 * What a service was asked to be: every replica is an environment of {@code spec} (its name set per
 * replica) built from {@code recipe}, serving on container {@code port}, ready when {@code readiness}
 * answers 2xx. The gateway validates and resolves it (catalog, datasets) before the entity sees it,
 * so the entity never builds anything a user could not have created directly. {@code batching}: how
 * the gateways group a model's predictions (null: one call per request; apps never batch).
 * {@code bindings}: the sensor and controller types an app consumes (end users bind devices to them).
 * {@code surge}: how many replicas beyond {@code replicas} a rolling update may add (1, or 0: an old
 * replica is deleted before its replacement is made; null, from before: 1). {@code spread}: whether
 * its replicas must run on distinct nodes ({@link Spread#REQUIRED}: a replica waits rather than join
 * another on a node) or are only spread where the cluster allows (null, as before: preferred).
 */
public record ServiceDefinition(
    String name,
    Kind kind,
    EnvironmentSpec spec,
    ImageRecipe recipe,
    int port,
    Readiness readiness,
    int replicas,
    Batching batching,
    List<BindingSlot> bindings,
    Integer surge,
    Spread spread)
    implements CborSerializable {

  /** A rolling update adds one replica beyond the desired count at a time unless told otherwise. */
  public static final int DEFAULT_SURGE = 1;

  /**
   * {@code bindings}: the device types an app consumes (null, as in definitions from before bindings:
   * none). A preferred spread is kept as null, as definitions from before spreads were: said or not,
   * it is the same definition (a definition read back and applied again rolls nothing).
   */
  public ServiceDefinition {
    bindings = bindings == null ? List.of() : List.copyOf(bindings);
    spread = spread == Spread.PREFERRED ? null : spread;
  }

  /** Spread where the cluster allows. */
  public ServiceDefinition(String name, Kind kind, EnvironmentSpec spec, ImageRecipe recipe, int port,
      Readiness readiness, int replicas, Batching batching, List<BindingSlot> bindings, Integer surge) {
    this(name, kind, spec, recipe, port, readiness, replicas, batching, bindings, surge, null);
  }

  /** With the default surge. */
  public ServiceDefinition(String name, Kind kind, EnvironmentSpec spec, ImageRecipe recipe, int port,
      Readiness readiness, int replicas, Batching batching, List<BindingSlot> bindings) {
    this(name, kind, spec, recipe, port, readiness, replicas, batching, bindings, null);
  }

  /** Without device bindings. */
  public ServiceDefinition(String name, Kind kind, EnvironmentSpec spec, ImageRecipe recipe, int port,
      Readiness readiness, int replicas, Batching batching) {
    this(name, kind, spec, recipe, port, readiness, replicas, batching, List.of());
  }

  /** The same definition with other batching (a live change that makes no new version). */
  public ServiceDefinition withBatching(Batching changed) {
    return new ServiceDefinition(name, kind, spec, recipe, port, readiness, replicas, changed, bindings, surge, spread);
  }

  /** The same definition built from {@code built} (the gateway resolves the image before the entity sees it). */
  public ServiceDefinition withRecipe(ImageRecipe built) {
    return new ServiceDefinition(name, kind, spec, built, port, readiness, replicas, batching, bindings, surge, spread);
  }

  /** The same definition rolling with another surge (a live change that makes no new version). */
  public ServiceDefinition withSurge(Integer changed) {
    return new ServiceDefinition(name, kind, spec, recipe, port, readiness, replicas, batching, bindings, changed, spread);
  }

  /** The same definition of another replica count. */
  public ServiceDefinition withReplicas(int changed) {
    return new ServiceDefinition(name, kind, spec, recipe, port, readiness, changed, batching, bindings, surge, spread);
  }

  /** What a new version changes: all but the replica count, batching and surge, which change live. */
  public boolean sameVersionAs(ServiceDefinition other) {
    return withBatching(null).withSurge(null).withReplicas(0)
        .equals(other.withBatching(null).withSurge(null).withReplicas(0));
  }

  /** How many replicas beyond the desired count a rolling update adds at a time (0 or 1). */
  public int rollingSurge() {
    return surge == null ? DEFAULT_SURGE : surge;
  }

  /** Whether each replica must run on a node that runs no other (a change of it is a new version). */
  public boolean spreadRequired() {
    return spread == Spread.REQUIRED;
  }

  /**
   * How a service's replicas are spread over nodes: PREFERRED, on the nodes (and zones) holding the
   * fewest of them, however many that is; REQUIRED, never two on one node, as Nomad's
   * {@code distinct_hosts} and Kubernetes' {@code whenUnsatisfiable: DoNotSchedule}: a replica with no
   * such node waits in the queue, saying so.
   */
  public enum Spread {
    PREFERRED,
    REQUIRED
  }

  /** Models are served by DCloud's wrapper; apps bring their own server. */
  public enum Kind {
    APP,
    MODEL
  }

  /** The HTTP path the node probes on the replica's port. */
  public record Readiness(String path) implements CborSerializable {}

  /**
   * Dynamic batching of {@code predict}: requests that arrive within {@code maxWaitMs} of the first
   * are sent to one replica together, up to {@code maxSize} instances.
   */
  public record Batching(int maxSize, int maxWaitMs) implements CborSerializable {}
}
