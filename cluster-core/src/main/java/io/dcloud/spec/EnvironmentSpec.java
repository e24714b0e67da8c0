package io.dcloud.spec;

import io.dcloud.contracts.EnvironmentNames;
import io.dcloud.resources.Resources;
import io.dcloud.serialization.CborSerializable;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A validated environment request: the seeds' "env config" contract in typed form. Built only by
 * {@link EnvironmentSpecParser}, so every instance is known to be well formed (resources positive,
 * ports in range, storage targets absolute); whether the OS, languages and libraries exist is the
 * catalog's question ({@link io.dcloud.catalog.CatalogCheck}).
 *
 * <p>{@code osRelease} is null when the config named the OS alone, as the seeds do, and in events
 * written before it existed.
 *
 * <p>Variable values are write-only: what shows a spec to anyone (the API, manifests, logs through
 * {@link #toString}) shows each value as {@link #HIDDEN_VALUE}. {@code secretEnv}'s values are
 * moreover encrypted ({@link io.dcloud.secret.SecretBox}); only the node creating the container
 * decrypts them. Events written before it existed read as none.
 *
 * <p>{@code idleTimeout}: how long it may go without traffic before it is stopped; null when the
 * config set none (then the cluster's default applies), as in events written before it existed.
 *
 * <p>{@code service}: set when the environment is a replica of a service (see io.dcloud.service);
 * null otherwise, and in events written before services existed.
 *
 * <p>{@code maxRuntime}: how long it may run before it is stopped, however busy; null when the config
 * set none (then the cluster's default applies), as in events written before it existed.
 */
public record EnvironmentSpec(
    String name,
    String version,
    String os,
    OsRelease osRelease,
    List<LanguageSpec> languages,
    Resources resources,
    List<DatasetRef> datasets,
    List<PortSpec> ports,
    List<VolumeSpec> storage,
    List<String> command,
    Map<String, String> env,
    Map<String, String> constraints,
    RestartPolicy restartPolicy,
    Map<String, String> secretEnv,
    Duration idleTimeout,
    ServiceBinding service,
    Duration maxRuntime)
    implements CborSerializable {

  /** What is shown instead of a variable's value. */
  public static final String HIDDEN_VALUE = "<set>";

  public EnvironmentSpec {
    secretEnv = secretEnv == null ? Map.of() : secretEnv;
  }

  /** A spec without a max-runtime of its own (a service's replica never has one). */
  public EnvironmentSpec(
      String name,
      String version,
      String os,
      OsRelease osRelease,
      List<LanguageSpec> languages,
      Resources resources,
      List<DatasetRef> datasets,
      List<PortSpec> ports,
      List<VolumeSpec> storage,
      List<String> command,
      Map<String, String> env,
      Map<String, String> constraints,
      RestartPolicy restartPolicy,
      Map<String, String> secretEnv,
      Duration idleTimeout,
      ServiceBinding service) {
    this(name, version, os, osRelease, languages, resources, datasets, ports, storage, command, env, constraints,
        restartPolicy, secretEnv, idleTimeout, service, null);
  }

  /** A spec of an environment that is no service's replica. */
  public EnvironmentSpec(
      String name,
      String version,
      String os,
      OsRelease osRelease,
      List<LanguageSpec> languages,
      Resources resources,
      List<DatasetRef> datasets,
      List<PortSpec> ports,
      List<VolumeSpec> storage,
      List<String> command,
      Map<String, String> env,
      Map<String, String> constraints,
      RestartPolicy restartPolicy,
      Map<String, String> secretEnv,
      Duration idleTimeout) {
    this(name, version, os, osRelease, languages, resources, datasets, ports, storage, command, env, constraints,
        restartPolicy, secretEnv, idleTimeout, null);
  }

  /** A spec without an idle timeout of its own. */
  public EnvironmentSpec(
      String name,
      String version,
      String os,
      OsRelease osRelease,
      List<LanguageSpec> languages,
      Resources resources,
      List<DatasetRef> datasets,
      List<PortSpec> ports,
      List<VolumeSpec> storage,
      List<String> command,
      Map<String, String> env,
      Map<String, String> constraints,
      RestartPolicy restartPolicy,
      Map<String, String> secretEnv) {
    this(name, version, os, osRelease, languages, resources, datasets, ports, storage, command, env, constraints,
        restartPolicy, secretEnv, null);
  }

  /** A spec without secret variables. */
  public EnvironmentSpec(
      String name,
      String version,
      String os,
      OsRelease osRelease,
      List<LanguageSpec> languages,
      Resources resources,
      List<DatasetRef> datasets,
      List<PortSpec> ports,
      List<VolumeSpec> storage,
      List<String> command,
      Map<String, String> env,
      Map<String, String> constraints,
      RestartPolicy restartPolicy) {
    this(name, version, os, osRelease, languages, resources, datasets, ports, storage, command, env, constraints,
        restartPolicy, Map.of());
  }

  /**
   * Whether {@code other} asks for the same environment (a create retried): equal but for the values
   * of secret-env, which are encrypted afresh (a new nonce) each time a request is read and cannot
   * be compared; their names must match.
   */
  public boolean sameRequestAs(EnvironmentSpec other) {
    return other != null
        && secretEnv.keySet().equals(other.secretEnv.keySet())
        && new EnvironmentSpec(name, version, os, osRelease, languages, resources, datasets, ports, storage, command, env,
            constraints, restartPolicy, other.secretEnv, idleTimeout, service, maxRuntime).equals(other);
  }

  /** The names of {@code variables} in their order, each with {@link #HIDDEN_VALUE} for its value. */
  public static Map<String, String> hidingValues(Map<String, String> variables) {
    Map<String, String> hidden = new LinkedHashMap<>();
    variables.keySet().forEach(name -> hidden.put(name, HIDDEN_VALUE));
    return hidden;
  }

  /** This spec mounting {@code storage} instead (kept volumes found where they are). */
  public EnvironmentSpec withStorage(List<VolumeSpec> storage) {
    return new EnvironmentSpec(name, version, os, osRelease, languages, resources, datasets, ports, storage, command, env,
        constraints, restartPolicy, secretEnv, idleTimeout, service, maxRuntime);
  }

  /** This spec asking for {@code resources} instead (a resize). */
  public EnvironmentSpec withResources(Resources resources) {
    return new EnvironmentSpec(name, version, os, osRelease, languages, resources, datasets, ports, storage, command, env,
        constraints, restartPolicy, secretEnv, idleTimeout, service, maxRuntime);
  }

  /** Like a record's, with the variables' values hidden: specs reach logs (in messages, dead letters). */
  @Override
  public String toString() {
    return "EnvironmentSpec[name=" + name + ", version=" + version + ", os=" + os + ", osRelease=" + osRelease
        + ", languages=" + languages + ", resources=" + resources + ", datasets=" + datasets + ", ports=" + ports
        + ", storage=" + storage + ", command=" + command + ", env=" + (env == null ? null : hidingValues(env))
        + ", constraints=" + constraints + ", restartPolicy=" + restartPolicy + ", secretEnv="
        + hidingValues(secretEnv) + ", idleTimeout=" + idleTimeout + ", service=" + service + ", maxRuntime=" + maxRuntime + "]";
  }

  /**
   * The engine volumes of the storage entries with this lifecycle, as node {@code nodeId} names them
   * (a kept volume by its own name).
   */
  public List<String> volumeNames(String nodeId, String environmentId, Lifecycle lifecycle) {
    return java.util.stream.IntStream.range(0, storage.size())
        .filter(i -> storage.get(i).lifecycle() == lifecycle)
        .mapToObj(i -> volumeName(nodeId, environmentId, i))
        .toList();
  }

  /** The engine volume of storage entry {@code index} on node {@code nodeId}. */
  public String volumeName(String nodeId, String environmentId, int index) {
    KeptVolume kept = storage.get(index).kept();
    return kept != null ? kept.name() : EnvironmentNames.volumeName(nodeId, environmentId, index);
  }

  /**
   * The node whose kept volumes this environment mounts (all on one node), where alone it can run;
   * null when it mounts none.
   */
  public String keptVolumesNode() {
    return storage == null ? null : storage.stream()
        .filter(volume -> volume.kept() != null && volume.kept().node() != null)
        .map(volume -> volume.kept().node())
        .findFirst()
        .orElse(null);
  }

  /**
   * The OS image's version and tags as the original project's {@code os} object named them; either
   * may be null. The catalog decides whether they fit the image it builds from.
   */
  public record OsRelease(String version, String tags) implements CborSerializable {}

  /** A language and the library names picked for it from the catalog. */
  public record LanguageSpec(String name, List<String> libraries) implements CborSerializable {}

  /** One dataset the environment asks for (the seed's category → db → dataset nesting, flattened). */
  public record DatasetRef(String category, String db, String dataset, String version)
      implements CborSerializable {}

  /** A published port; {@code hostPort} null means "any free host port". */
  public record PortSpec(Integer hostPort, int containerPort, String protocol) implements CborSerializable {}

  /**
   * A volume mounted at {@code target}; temporary ones die with the environment. {@code kept}: the
   * persistent volume an earlier environment left, mounted again (always persistent); null for a
   * volume made for this environment, and in events written before volumes could be kept.
   */
  public record VolumeSpec(String target, long sizeBytes, Lifecycle lifecycle, KeptVolume kept)
      implements CborSerializable {
    /** A volume made for this environment. */
    public VolumeSpec(String target, long sizeBytes, Lifecycle lifecycle) {
      this(target, sizeBytes, lifecycle, null);
    }
  }

  /**
   * A volume by its engine name, as an earlier environment's {@code persistentVolumes} listed it,
   * and the node holding it: null as the request names it, found by the gateway before the create.
   */
  public record KeptVolume(String name, String node) implements CborSerializable {}

  public enum Lifecycle {
    TEMPORARY,
    PERSISTENT
  }

  /**
   * Whether DCloud starts the environment again by itself: after its machine is lost (on another
   * node), and after its container exits on its own (on the same node, with a back-off), as
   * Docker's, Kubernetes' and Nomad's restart policies do. A stop by its owner or by DCloud (idle
   * culling) is never undone.
   */
  public enum RestartPolicy {
    /** After a loss, and after any exit. */
    ALWAYS,
    /** After a loss, and after an exit with a code other than 0 or an out-of-memory kill. */
    ON_FAILURE,
    NEVER;

    /** Whether a container that ended by itself, {@code cleanly} (code 0, not killed) or not, is started again. */
    public boolean restartsAfterExit(boolean cleanly) {
      return this == ALWAYS || (this == ON_FAILURE && !cleanly);
    }
  }
}
