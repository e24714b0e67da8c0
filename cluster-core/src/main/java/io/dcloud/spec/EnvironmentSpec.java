package io.dcloud.spec;

import io.dcloud.contracts.EnvironmentNames;
import io.dcloud.resources.Resources;
import io.dcloud.serialization.CborSerializable;
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
    RestartPolicy restartPolicy)
    implements CborSerializable {

  /** The engine volumes of the storage entries with this lifecycle, as node {@code nodeId} names them. */
  public List<String> volumeNames(String nodeId, String environmentId, Lifecycle lifecycle) {
    return java.util.stream.IntStream.range(0, storage.size())
        .filter(i -> storage.get(i).lifecycle() == lifecycle)
        .mapToObj(i -> EnvironmentNames.volumeName(nodeId, environmentId, i))
        .toList();
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

  /** A volume mounted at {@code target}; temporary ones die with the environment. */
  public record VolumeSpec(String target, long sizeBytes, Lifecycle lifecycle) implements CborSerializable {}

  public enum Lifecycle {
    TEMPORARY,
    PERSISTENT
  }

  /** What happens when the machine running the environment is lost (the cluster issue acts on it). */
  public enum RestartPolicy {
    ALWAYS,
    ON_FAILURE,
    NEVER
  }
}
