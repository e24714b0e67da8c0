package io.dcloud.node;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which dataset versions the node's {@link DatasetCache} holds, by name, for the node's gossip (the
 * scheduler prefers nodes that need not fetch a version: data locality). The cache keeps versions
 * by sha256, and one content may be several versions (the same bytes uploaded twice, or under two
 * names), so the names of each are kept in a small {@code names} file beside its {@code data}: a
 * restarted node still gossips what its cache holds. The cache tells this class when it gains a
 * version ({@link #cached}) and when it drops one ({@link #evicted}). Thread-safe: the cache runs
 * on the blocking pool, the gossip on the node's actor.
 */
final class CachedVersions {
  private static final Logger LOG = LoggerFactory.getLogger(CachedVersions.class);
  private static final String NAMES = "names";

  private final String nodeId;
  private final Path dir;
  /** By sha256: the versions with that content, as gossiped ({@code images/cifar/train@3}). */
  private final Map<String, Set<String>> bySha = new ConcurrentHashMap<>();

  /** Reads the names of what {@code dir} already holds. */
  CachedVersions(String nodeId, Path dir) {
    this.nodeId = nodeId;
    this.dir = dir;
    if (Files.isDirectory(dir)) {
      try (DirectoryStream<Path> versions = Files.newDirectoryStream(dir, path -> Files.isRegularFile(path.resolve(NAMES)))) {
        for (Path version : versions) {
          Set<String> names = new TreeSet<>(Files.readAllLines(version.resolve(NAMES), StandardCharsets.UTF_8));
          names.removeIf(String::isBlank);
          bySha.put(version.getFileName().toString(), names);
        }
      } catch (IOException e) {
        throw new UncheckedIOException("node " + nodeId + " could not read its dataset cache " + dir, e);
      }
    }
  }

  /** The cache holds {@code datasetId} version {@code version} as the content {@code sha256}. */
  void cached(String sha256, String datasetId, int version) {
    String name = NodeStatus.datasetVersion(datasetId, version);
    Set<String> names = bySha.computeIfAbsent(sha256, sha -> new TreeSet<>());
    synchronized (names) {
      if (names.add(name)) {
        LOG.debug("Node {}: its dataset cache holds {}", nodeId, name);
        remember(sha256, List.copyOf(names));
      }
    }
  }

  /** The cache removed the content {@code sha256} (and with it its names file). */
  void evicted(String sha256) {
    Set<String> names = bySha.remove(sha256);
    if (names != null) {
      LOG.debug("Node {}: its dataset cache no longer holds {}", nodeId, names);
    }
  }

  /** Sorted, for a gossip that does not change when nothing did. */
  List<String> held() {
    Set<String> all = new TreeSet<>();
    bySha.values().forEach(names -> {
      synchronized (names) {
        all.addAll(names);
      }
    });
    return List.copyOf(all);
  }

  /** Written whole and moved into place, so a crash leaves the old list or the new one. */
  private void remember(String sha256, List<String> names) {
    Path version = dir.resolve(sha256);
    try {
      Path written = Files.write(version.resolve(NAMES + ".new"), names, StandardCharsets.UTF_8);
      Files.move(written, version.resolve(NAMES), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      // The gossip is right until the node restarts; after that it misses these names until an environment uses them.
      LOG.warn("Node {} could not record the names of cached dataset {}: {}", nodeId, sha256, e.toString());
    }
  }
}
