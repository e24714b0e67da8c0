package io.dcloud.node;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a node's dataset cache holds and which version goes when it is full. It lives on disk, so a
 * restarted node knows it: each version's directory {@code <sha256>/} holds {@code data}, a
 * {@code names} file (the dataset versions with these bytes, "category/db/name@3" a line) and
 * {@code users/<environment>} markers for the environments that mount it (made at mount, removed
 * with their container). The directory's modification time is when the version was last used
 * (fetched or mounted): the least recently used version that no environment mounts is evicted first.
 * Every method is synchronized: they are quick file operations, and the fetches run outside them.
 */
final class DatasetCacheIndex {
  private static final Logger LOG = LoggerFactory.getLogger(DatasetCacheIndex.class);
  static final String DATA = "data";
  static final String INCOMING = ".incoming-";
  private static final String NAMES = "names";
  private static final String USERS = "users";
  private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");

  private final String nodeId;
  private final Path dir;
  private final long maxBytes;
  /** Bytes on disk of each cached version, by sha256. */
  private final Map<String, Long> sizes = new HashMap<>();
  /** The dataset versions each cached sha256 is, as "category/db/name@version". */
  private final Map<String, Set<String>> names = new HashMap<>();
  /** Bytes of fetches under way: counted against the size so concurrent fetches do not overshoot it together. */
  private long reserved;
  /** Strictly increasing use times, so two uses in one clock tick keep their order. */
  private long lastUseMillis;
  private final Counter evictions;

  DatasetCacheIndex(String nodeId, Path dir, long maxBytes, MeterRegistry registry) {
    this.nodeId = nodeId;
    this.dir = dir;
    this.maxBytes = maxBytes;
    scan();
    Gauge.builder("dcloud.node.dataset.cache.bytes", this, DatasetCacheIndex::bytes).tag("node", nodeId)
        .description("Bytes of dataset versions in this node's cache").register(registry);
    this.evictions = Counter.builder("dcloud.node.dataset.cache.evictions").tag("node", nodeId)
        .description("Dataset versions this node's cache removed to stay within dcloud.node.dataset-cache.max-size")
        .register(registry);
  }

  /** Reads the cache a previous run left, and removes the fetches it was interrupted in. */
  private void scan() {
    try {
      Files.createDirectories(dir);
      try (Stream<Path> entries = Files.list(dir)) {
        for (Path entry : entries.toList()) {
          String name = entry.getFileName().toString();
          if (name.startsWith(INCOMING)) {
            DatasetFiles.delete(entry);
            LOG.info("Node {}: removed {}, a dataset fetch interrupted when the node stopped", nodeId, entry);
          } else if (SHA256.matcher(name).matches() && Files.exists(entry.resolve(DATA))) {
            sizes.put(name, DatasetFiles.size(entry.resolve(DATA)));
            names.put(name, new LinkedHashSet<>(Files.exists(entry.resolve(NAMES))
                ? Files.readAllLines(entry.resolve(NAMES), StandardCharsets.UTF_8) : List.of()));
            lastUseMillis = Math.max(lastUseMillis, Files.getLastModifiedTime(entry).toMillis());
          }
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("node " + nodeId + " could not read its dataset cache " + dir, e);
    }
    if (!sizes.isEmpty()) {
      LOG.info("Node {}: dataset cache {} holds {} versions, {} bytes", nodeId, dir, sizes.size(), bytes());
    }
  }

  synchronized boolean holds(String sha256) {
    return sizes.containsKey(sha256);
  }

  /**
   * Marks {@code sha256} as used now by {@code environmentId} under {@code name}; false when it is not
   * cached. A version marked this way is not evicted until {@link #release} of the environment.
   */
  synchronized boolean use(String sha256, String name, String environmentId) {
    if (!sizes.containsKey(sha256)) {
      return false;
    }
    mark(sha256, name, environmentId);
    return true;
  }

  /** Makes room for {@code bytes} more (a fetch about to start), evicting what it must and may. */
  synchronized void reserve(long bytes, String forWhat) {
    while (bytes() + reserved + bytes > maxBytes) {
      Optional<String> victim = leastRecentlyUsedUnmounted();
      if (victim.isEmpty()) {
        LOG.warn("Node {}: the dataset cache will be over its size ({} bytes, dcloud.node.dataset-cache.max-size) "
            + "fetching {}: every version in it is mounted", nodeId, maxBytes, forWhat);
        break;
      }
      evict(victim.get());
    }
    reserved += bytes;
  }

  /** A fetch that reserved {@code bytes} ended: its version is in {@code <sha256>/} now, or it failed (null). */
  synchronized void fetched(long reservedBytes, String sha256, String name, String environmentId) {
    reserved -= reservedBytes;
    if (sha256 != null) {
      sizes.put(sha256, DatasetFiles.size(dir.resolve(sha256).resolve(DATA)));
      mark(sha256, name, environmentId);
    }
  }

  /** The environment's container is gone: the versions it mounted may be evicted again. */
  synchronized void release(String environmentId) {
    for (String sha256 : sizes.keySet()) {
      try {
        Files.deleteIfExists(dir.resolve(sha256).resolve(USERS).resolve(environmentId));
      } catch (IOException e) {
        LOG.warn("Node {}: could not unmark dataset version {} as mounted by environment {}: {}",
            nodeId, sha256, environmentId, e.toString());
      }
    }
  }

  /**
   * Forgets the mounts of every environment but {@code environmentIds} (those with a container on
   * this node): containers removed while the node was down, or outside DCloud, mount nothing.
   */
  synchronized void keepMountsOf(Set<String> environmentIds) {
    int forgotten = 0;
    for (String sha256 : sizes.keySet()) {
      Path users = dir.resolve(sha256).resolve(USERS);
      if (!Files.isDirectory(users)) {
        continue;
      }
      try (Stream<Path> markers = Files.list(users)) {
        for (Path marker : markers.filter(m -> !environmentIds.contains(m.getFileName().toString())).toList()) {
          Files.delete(marker);
          forgotten++;
        }
      } catch (IOException e) {
        LOG.warn("Node {}: could not read which environments mount dataset version {}: {}", nodeId, sha256, e.toString());
      }
    }
    if (forgotten > 0) {
      LOG.info("Node {}: {} dataset mounts of containers no longer on this node forgotten", nodeId, forgotten);
    }
  }

  /** "category/db/name@version" of every version cached here, sorted. */
  synchronized Set<String> versions() {
    Set<String> all = new TreeSet<>();
    names.values().forEach(all::addAll);
    return all;
  }

  synchronized long bytes() {
    return sizes.values().stream().mapToLong(Long::longValue).sum();
  }

  private void mark(String sha256, String name, String environmentId) {
    Path version = dir.resolve(sha256);
    try {
      if (names.computeIfAbsent(sha256, sha -> new LinkedHashSet<>()).add(name)) {
        Files.writeString(version.resolve(NAMES), name + "\n", StandardCharsets.UTF_8,
            StandardOpenOption.CREATE, StandardOpenOption.APPEND);
      }
      Files.createDirectories(version.resolve(USERS));
      Files.writeString(version.resolve(USERS).resolve(environmentId), "");
      lastUseMillis = Math.max(lastUseMillis + 1, Instant.now().toEpochMilli());
      Files.setLastModifiedTime(version, FileTime.fromMillis(lastUseMillis));
    } catch (IOException e) {
      throw new UncheckedIOException("node " + nodeId + " could not mark dataset version " + version + " as used", e);
    }
  }

  private Optional<String> leastRecentlyUsedUnmounted() {
    return sizes.keySet().stream()
        .filter(sha256 -> !mounted(sha256))
        .min(Comparator.comparing(this::lastUsed));
  }

  private boolean mounted(String sha256) {
    Path users = dir.resolve(sha256).resolve(USERS);
    try (Stream<Path> markers = Files.isDirectory(users) ? Files.list(users) : Stream.empty()) {
      return markers.findAny().isPresent();
    } catch (IOException e) {
      return true; // unsure: keeping a version is safe, removing one under a container is not
    }
  }

  private FileTime lastUsed(String sha256) {
    try {
      return Files.getLastModifiedTime(dir.resolve(sha256));
    } catch (IOException e) {
      return FileTime.fromMillis(Long.MAX_VALUE);
    }
  }

  private void evict(String sha256) {
    long size = sizes.remove(sha256);
    Set<String> were = names.remove(sha256);
    Path version = dir.resolve(sha256);
    // Renamed first, so a half-removed version is never taken for a cached one (a restart finishes it).
    Path doomed = dir.resolve(INCOMING + "evicted-" + sha256);
    try {
      Files.move(version, doomed);
    } catch (IOException e) {
      throw new UncheckedIOException("node " + nodeId + " could not evict dataset version " + version, e);
    }
    DatasetFiles.delete(doomed);
    evictions.increment();
    LOG.info("Node {}: evicted dataset {} ({} bytes) from its cache, the least recently used one no environment "
        + "mounts", nodeId, were == null || were.isEmpty() ? sha256 : String.join(", ", were), size);
  }
}
