package io.dcloud.node;

import io.dcloud.dataset.BlobStore;
import io.dcloud.dataset.DatasetEntity;
import io.dcloud.dataset.DatasetIds;
import io.dcloud.dataset.DatasetState;
import io.dcloud.dataset.DatasetVersion;
import io.dcloud.deploy.ContainerRuntime;
import io.dcloud.spec.EnvironmentSpec.DatasetRef;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import java.util.stream.Stream;
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
 */
public final class DatasetCache implements DatasetMounts {
  private static final Logger LOG = LoggerFactory.getLogger(DatasetCache.class);
  private static final String DATA = "data";
  private static final String INCOMING = ".incoming-";

  private final String nodeId;
  private final Path dir;
  private final Function<String, RecipientRef<DatasetEntity.Command>> entities;
  private final BlobStore blobs;
  private final ActorSystem<?> system;
  private final Duration askTimeout;
  private final Duration transferTimeout;
  private final ConcurrentHashMap<String, Object> fetching = new ConcurrentHashMap<>();
  /** Told of every version the cache gains or drops (for the node's gossip): eviction calls its {@code evicted}. */
  private final CachedVersions versions;

  DatasetCache(String nodeId, Path dir, Function<String, RecipientRef<DatasetEntity.Command>> entities, BlobStore blobs,
      ActorSystem<?> system, Duration askTimeout, Duration transferTimeout) {
    this.nodeId = nodeId;
    this.dir = dir.toAbsolutePath().normalize();
    this.entities = entities;
    this.blobs = blobs;
    this.system = system;
    this.askTimeout = askTimeout;
    this.transferTimeout = transferTimeout;
    this.versions = new CachedVersions(nodeId, this.dir);
  }

  /** The cache of {@code dcloud.node.dataset-cache} on this node. */
  public static DatasetMounts create(String nodeId, com.typesafe.config.Config config,
      Function<String, RecipientRef<DatasetEntity.Command>> entities, BlobStore blobs, ActorSystem<?> system) {
    return new DatasetCache(nodeId, Path.of(config.getString("dcloud.node.dataset-cache.dir")), entities, blobs, system,
        config.getDuration("dcloud.ask-timeout"), config.getDuration("dcloud.datasets.transfer-timeout"));
  }

  @Override
  public List<ContainerRuntime.BindMount> prepare(String environmentId, List<DatasetRef> datasets) {
    List<ContainerRuntime.BindMount> mounts = new ArrayList<>();
    for (DatasetRef ref : datasets) {
      DatasetVersion version = resolve(ref);
      String datasetId = DatasetIds.of(ref.category(), ref.db(), ref.dataset());
      Path data = cached(version, environmentId, datasetId);
      versions.cached(version.sha256(), datasetId, version.version());
      mounts.add(new ContainerRuntime.BindMount(data.toString(), DatasetMounts.target(ref)));
    }
    return mounts;
  }

  @Override
  public List<String> cachedVersions() {
    return versions.held();
  }

  private DatasetVersion resolve(DatasetRef ref) {
    String id = DatasetIds.of(ref.category(), ref.db(), ref.dataset());
    DatasetState state = await(AskPattern.<DatasetEntity.Command, DatasetState>ask(
        entities.apply(id), DatasetEntity.Get::new, askTimeout, system.scheduler()).toCompletableFuture(), askTimeout);
    return state.pick(ref.version()).orElseThrow(() -> new IllegalStateException(
        "dataset " + id + (ref.version() == null ? " has no versions" : " has no version " + ref.version())));
  }

  private Path cached(DatasetVersion version, String environmentId, String datasetId) {
    Path done = dir.resolve(version.sha256());
    if (Files.isDirectory(done)) {
      return done.resolve(DATA);
    }
    synchronized (fetching.computeIfAbsent(version.sha256(), sha -> new Object())) {
      if (!Files.isDirectory(done)) {
        fetch(version, done);
        LOG.info("Node {}: cached dataset {} version {} ({} bytes{}) for environment {}", nodeId, datasetId,
            version.version(), version.size(), version.isDirectory() ? ", a directory" : "", environmentId);
      }
    }
    return done.resolve(DATA);
  }

  private void fetch(DatasetVersion version, Path done) {
    Path work = null;
    try {
      Files.createDirectories(dir);
      work = Files.createTempDirectory(dir, INCOMING);
      Path blob = work.resolve("blob");
      // The read fails unless the bytes add up to the version's size and sha256.
      await(blobs.read(version.blobId(), version.size(), version.sha256())
          .runWith(FileIO.toPath(blob), system).toCompletableFuture(), transferTimeout);
      Path data = work.resolve(DATA);
      if (version.isDirectory()) {
        Files.createDirectory(data);
        try (InputStream tar = Files.newInputStream(blob)) {
          TarExtraction.extract(tar, data);
        }
        Files.delete(blob);
      } else {
        Files.move(blob, data);
      }
      readOnly(data);
      Files.move(work, done, StandardCopyOption.ATOMIC_MOVE);
      work = null;
    } catch (IOException e) {
      throw new UncheckedIOException("node " + nodeId + " could not cache a dataset in " + dir, e);
    } finally {
      if (work != null) {
        deleteQuietly(work);
      }
    }
  }

  /** Files r--r--r--, directories r-xr-xr-x: no one on the node alters a cached version, and containers may read it. */
  private static void readOnly(Path data) throws IOException {
    try (Stream<Path> paths = Files.walk(data)) {
      for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.setPosixFilePermissions(path, PosixFilePermissions.fromString(
            Files.isDirectory(path) ? "r-xr-xr-x" : "r--r--r--"));
      }
    }
  }

  private static void deleteQuietly(Path work) {
    try (Stream<Path> paths = Files.walk(work)) {
      for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
        if (Files.isDirectory(path)) {
          Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rwx------"));
        }
        Files.deleteIfExists(path);
      }
    } catch (IOException | UncheckedIOException e) {
      LOG.warn("Could not remove the partial dataset fetch {}: {}", work, e.toString());
    }
  }

  private static <T> T await(java.util.concurrent.CompletableFuture<T> future, Duration timeout) {
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
