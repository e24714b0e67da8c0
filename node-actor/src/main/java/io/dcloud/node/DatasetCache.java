package io.dcloud.node;

import io.dcloud.contracts.EnvironmentNames;
import io.dcloud.dataset.BlobStore;
import io.dcloud.dataset.DatasetEntity;
import io.dcloud.dataset.DatasetIds;
import io.dcloud.dataset.DatasetState;
import io.dcloud.dataset.DatasetVersion;
import io.dcloud.deploy.ContainerRuntime;
import io.dcloud.spec.EnvironmentSpec.DatasetRef;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Metrics;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import java.util.zip.GZIPInputStream;
import java.util.stream.Collectors;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.RecipientRef;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.stream.javadsl.FileIO;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's cache of dataset versions, one directory per version named by its sha256 and holding
 * {@code data} (the file, or the directory a tar extracts to): fetched from the blob store once
 * (the read checks the sha256), made read-only, and shared by every environment of the node that
 * names the version. A version is fetched into a temporary directory and moved into place whole, so
 * a half-fetched one is never mounted; two environments wanting the same one wait for one fetch.
 * What it holds, and what goes when it is full, is {@link DatasetCacheIndex}'s.
 */
public final class DatasetCache implements DatasetMounts {
  private static final Logger LOG = LoggerFactory.getLogger(DatasetCache.class);

  /** {@code dcloud.node.dataset-cache}, with the timeouts of the asks and transfers it makes. */
  record Settings(Path dir, long maxBytes, Duration progressInterval, Duration askTimeout, Duration transferTimeout) {
    static Settings fromConfig(com.typesafe.config.Config config) {
      com.typesafe.config.Config cache = config.getConfig("dcloud.node.dataset-cache");
      return new Settings(Path.of(cache.getString("dir")), cache.getBytes("max-size"),
          cache.getDuration("progress-interval"), config.getDuration("dcloud.ask-timeout"),
          config.getDuration("dcloud.datasets.transfer-timeout"));
    }
  }

  private final String nodeId;
  private final Path dir;
  private final Settings settings;
  private final Function<String, RecipientRef<DatasetEntity.Command>> entities;
  private final BlobStore blobs;
  private final ActorSystem<?> system;
  private final DatasetCacheIndex index;
  private final ConcurrentHashMap<String, Object> fetching = new ConcurrentHashMap<>();
  private final Counter hits;
  private final Counter misses;

  DatasetCache(String nodeId, Settings settings, Function<String, RecipientRef<DatasetEntity.Command>> entities,
      BlobStore blobs, ActorSystem<?> system, MeterRegistry registry) {
    this.nodeId = nodeId;
    this.dir = settings.dir().toAbsolutePath().normalize();
    this.settings = settings;
    this.entities = entities;
    this.blobs = blobs;
    this.system = system;
    this.index = new DatasetCacheIndex(nodeId, dir, settings.maxBytes(), registry);
    this.hits = Counter.builder("dcloud.node.dataset.cache.hits").tag("node", nodeId)
        .description("Dataset versions environments mounted that this node's cache already held").register(registry);
    this.misses = Counter.builder("dcloud.node.dataset.cache.misses").tag("node", nodeId)
        .description("Dataset versions this node's cache fetched from the blob store for an environment")
        .register(registry);
  }

  /** The cache of {@code dcloud.node.dataset-cache} on this node, whose containers {@code runtime} lists. */
  public static DatasetMounts create(String nodeId, com.typesafe.config.Config config,
      Function<String, RecipientRef<DatasetEntity.Command>> entities, BlobStore blobs, ActorSystem<?> system,
      ContainerRuntime runtime) {
    DatasetCache cache = new DatasetCache(nodeId, Settings.fromConfig(config), entities, blobs, system,
        Metrics.globalRegistry);
    try {
      cache.keepMountsOf(runtime.listManaged(nodeId).stream()
          .map(container -> container.labels().get(EnvironmentNames.ENV_LABEL))
          .filter(Objects::nonNull)
          .collect(Collectors.toSet()));
    } catch (RuntimeException engineDown) {
      // Kept: a version thought mounted is only kept longer than it needs to be.
      LOG.warn("Node {}: could not list its containers ({}): the dataset cache keeps every mount it recorded",
          nodeId, engineDown.getMessage());
    }
    return cache;
  }

  /** Only these environments' containers are on this node: the versions others mounted may be evicted. */
  void keepMountsOf(Set<String> environmentIds) {
    index.keepMountsOf(environmentIds);
  }

  @Override
  public Prepared prepare(String environmentId, List<DatasetRef> datasets, Progress progress) {
    List<DatasetVersion> versions = datasets.stream().map(this::resolve).toList();
    Set<String> missing = new HashSet<>();
    long totalBytes = 0;
    for (DatasetVersion version : versions) {
      if (!index.holds(version.sha256()) && missing.add(version.sha256())) {
        totalBytes += version.size();
      }
    }
    FetchProgress fetchProgress = new FetchProgress(totalBytes, settings.progressInterval(), progress);
    List<ContainerRuntime.BindMount> mounts = new ArrayList<>();
    List<DatasetRef> resolved = new ArrayList<>();
    for (int i = 0; i < datasets.size(); i++) {
      DatasetRef ref = datasets.get(i);
      DatasetVersion version = versions.get(i);
      String name = DatasetIds.of(ref.category(), ref.db(), ref.dataset()) + "@" + version.version();
      Path data = cached(version, name, environmentId, fetchProgress);
      mounts.add(new ContainerRuntime.BindMount(data.toString(), DatasetMounts.target(ref)));
      resolved.add(new DatasetRef(ref.category(), ref.db(), ref.dataset(), Integer.toString(version.version())));
    }
    fetchProgress.done();
    return new Prepared(mounts, resolved);
  }

  @Override
  public void release(String environmentId) {
    index.release(environmentId);
  }

  @Override
  public Set<String> cachedVersions() {
    return index.versions();
  }

  private DatasetVersion resolve(DatasetRef ref) {
    String id = DatasetIds.of(ref.category(), ref.db(), ref.dataset());
    DatasetState state = await(AskPattern.<DatasetEntity.Command, DatasetState>ask(
            entities.apply(id), DatasetEntity.Get::new, settings.askTimeout(), system.scheduler()).toCompletableFuture(),
        settings.askTimeout());
    return state.pick(ref.version()).orElseThrow(() -> new IllegalStateException(
        "dataset " + id + (ref.version() == null ? " has no versions" : " has no version " + ref.version())));
  }

  private Path cached(DatasetVersion version, String name, String environmentId, FetchProgress progress) {
    Path data = dir.resolve(version.sha256()).resolve(DatasetCacheIndex.DATA);
    if (index.use(version.sha256(), name, environmentId)) {
      hits.increment();
      return data;
    }
    synchronized (fetching.computeIfAbsent(version.sha256(), sha -> new Object())) {
      // Another environment may have fetched it while this one waited.
      if (index.use(version.sha256(), name, environmentId)) {
        hits.increment();
        return data;
      }
      misses.increment();
      index.reserve(version.size(), name);
      String fetched = null;
      try {
        fetch(version, dir.resolve(version.sha256()), progress);
        fetched = version.sha256();
      } finally {
        index.fetched(version.size(), fetched, name, environmentId);
      }
      LOG.info("Node {}: cached dataset {} ({} bytes{}) for environment {}", nodeId, name, version.size(),
          version.isDirectory() ? ", a directory" : "", environmentId);
    }
    return data;
  }

  private void fetch(DatasetVersion version, Path done, FetchProgress progress) {
    Path work = null;
    try {
      work = Files.createTempDirectory(dir, DatasetCacheIndex.INCOMING);
      Path blob = work.resolve("blob");
      // The read fails unless the bytes add up to the version's size and sha256.
      await(blobs.read(version.blobId(), version.size(), version.sha256())
          .map(bytes -> {
            progress.add(bytes.size());
            return bytes;
          })
          .runWith(FileIO.toPath(blob), system).toCompletableFuture(), settings.transferTimeout());
      Path data = work.resolve(DatasetCacheIndex.DATA);
      if (version.isDirectory()) {
        Files.createDirectory(data);
        try (InputStream bytes = Files.newInputStream(blob);
            InputStream tar = version.isGzipped() ? new GZIPInputStream(bytes, 64 * 1024) : bytes) {
          TarExtraction.extract(tar, data);
        }
        Files.delete(blob);
      } else {
        Files.move(blob, data);
      }
      DatasetFiles.readOnly(data);
      Files.move(work, done, StandardCopyOption.ATOMIC_MOVE);
      work = null;
    } catch (IOException e) {
      throw new UncheckedIOException("node " + nodeId + " could not cache a dataset in " + dir, e);
    } finally {
      if (work != null) {
        DatasetFiles.delete(work);
      }
    }
  }

  private static <T> T await(CompletableFuture<T> future, Duration timeout) {
    try {
      return future.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      throw e.getCause() instanceof RuntimeException runtime ? runtime : new IllegalStateException(e.getCause());
    } catch (TimeoutException e) {
      throw new IllegalStateException("no answer within " + timeout, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
