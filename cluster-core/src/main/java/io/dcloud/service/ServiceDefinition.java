package io.dcloud.service;

import io.dcloud.contracts.ImageRecipe;
import io.dcloud.device.BindingSlot;
import io.dcloud.serialization.CborSerializable;
import io.dcloud.spec.EnvironmentSpec;
import java.time.Duration;
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
 * {@code autoscaling}: the bounds and target within which the service sets its own replica count from
 * its load (null: off, and in definitions from before; {@code replicas} is then the count).
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
    Spread spread,
    Autoscaling autoscaling)
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

  /** Scaled by hand only. */
  public ServiceDefinition(String name, Kind kind, EnvironmentSpec spec, ImageRecipe recipe, int port,
      Readiness readiness, int replicas, Batching batching, List<BindingSlot> bindings, Integer surge, Spread spread) {
    this(name, kind, spec, recipe, port, readiness, replicas, batching, bindings, surge, spread, null);
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
    return new ServiceDefinition(name, kind, spec, recipe, port, readiness,
        replicas, changed, bindings, surge, spread, autoscaling);
  }

  /** The same definition built from {@code built} (the gateway resolves the image before the entity sees it). */
  public ServiceDefinition withRecipe(ImageRecipe built) {
    return new ServiceDefinition(name, kind, spec, built, port, readiness,
        replicas, batching, bindings, surge, spread, autoscaling);
  }

  /** The same definition rolling with another surge (a live change that makes no new version). */
  public ServiceDefinition withSurge(Integer changed) {
    return new ServiceDefinition(name, kind, spec, recipe, port, readiness,
        replicas, batching, bindings, changed, spread, autoscaling);
  }

  /** The same definition of another replica count. */
  public ServiceDefinition withReplicas(int changed) {
    return new ServiceDefinition(name, kind, spec, recipe, port, readiness,
        changed, batching, bindings, surge, spread, autoscaling);
  }

  /** The same definition scaled by {@code changed} (null: by hand). */
  public ServiceDefinition withAutoscaling(Autoscaling changed) {
    return new ServiceDefinition(name, kind, spec, recipe, port, readiness,
        replicas, batching, bindings, surge, spread, changed);
  }

  /** What a new version changes: all but the replica count, batching, surge and autoscaling, which change live. */
  public boolean sameVersionAs(ServiceDefinition other) {
    return live(this).equals(live(other));
  }

  private static ServiceDefinition live(ServiceDefinition definition) {
    return definition.withBatching(null).withSurge(null).withReplicas(0).withAutoscaling(null);
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

  /**
   * The service sets its own replica count, within {@code minReplicas..maxReplicas}, to its load (the
   * calls in progress at the gateways, over a look-back window) divided by {@code
   * targetOngoingRequests} per replica, as Ray Serve's autoscaler does: up once the load has asked for
   * more for {@code upscaleDelay}, down once it has asked for fewer for {@code downscaleDelay} (longer,
   * so that a lull does not drop replicas a burst will want again).
   */
  public record Autoscaling(
      int minReplicas, int maxReplicas, double targetOngoingRequests, Duration upscaleDelay, Duration downscaleDelay)
      implements CborSerializable {

    /** {@code replicas} brought within the bounds. */
    public int clamp(int replicas) {
      return Math.max(minReplicas, Math.min(maxReplicas, replicas));
    }

    /** The replica count {@code ongoingRequests} ask for, within the bounds. */
    public int wanted(double ongoingRequests) {
      // A hair under a whole multiple of the target is that multiple, not one more replica.
      return clamp((int) Math.ceil(ongoingRequests / targetOngoingRequests - 1e-9));
    }
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
