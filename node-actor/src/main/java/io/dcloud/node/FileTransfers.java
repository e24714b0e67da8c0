package io.dcloud.node;

import io.dcloud.deploy.ContainerRuntime;
import io.dcloud.node.FilesProtocol.Reply;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.stream.ActorAttributes;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.stream.javadsl.StreamConverters;
import org.apache.pekko.stream.javadsl.StreamRefs;
import org.apache.pekko.util.ByteString;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Files into and out of this node's containers ({@link NodeProtocol.PutFilesIn}, {@link
 * NodeProtocol.GetFilesIn}), streamed between the gateway's StreamRef and the engine's tar archive
 * API: an upload of one file is wrapped in a tar on the fly, a download of one regular file is the
 * tar's single entry unwrapped. Each transfer holds a session-dispatcher thread, so at most
 * {@code dcloud.node.max-file-transfers} run at once. Call both methods on the session dispatcher.
 */
final class FileTransfers {
  private static final Logger LOG = LoggerFactory.getLogger(FileTransfers.class);
  /** How much of a downloaded tar may be read to tell a file from a directory (its first headers). */
  private static final int HEADER_LOOKAHEAD = 1 << 20;
  /** For the small commands a transfer runs first (who the user is, mkdir). */
  private static final Duration MKDIR_TIMEOUT = Duration.ofSeconds(30);

  private final String nodeId;
  private final ContainerRuntime runtime;
  private final SessionSettings settings;
  private final ContainerActivity activity;
  private final Executor pool;
  private final AtomicInteger running = new AtomicInteger();

  /** {@code pool} re-writes uploaded tars (see {@link TarOwnership}). */
  FileTransfers(String nodeId, ContainerRuntime runtime, SessionSettings settings, ContainerActivity activity,
      Executor pool) {
    this.nodeId = nodeId;
    this.pool = pool;
    this.runtime = runtime;
    this.settings = settings;
    this.activity = activity;
  }

  /** Transfers running now. */
  int running() {
    return running.get();
  }

  Reply put(NodeProtocol.PutFilesIn request, ActorSystem<?> system) {
    Optional<Reply> refused = takeSlot(request.environmentId());
    if (refused.isPresent()) {
      return refused.get();
    }
    AtomicLong received = new AtomicLong();
    InputStream content = request.content().getSource()
        .map(bytes -> {
          received.addAndGet(bytes.length);
          return ByteString.fromArray(bytes);
        })
        .runWith(StreamConverters.asInputStream(settings.transferIdleTimeout()), system);
    try (content) {
      activity.activity(request.environmentId());
      TarOwnership.Owner owner = owner(request.containerId());
      Reply reply = request.archive()
          ? putArchive(request, TarOwnership.owned(content, owner, pool))
          : putFile(request, content, owner);
      if (reply instanceof FilesProtocol.Written) {
        LOG.info("Environment {}: {} bytes written to {} on node {}", request.environmentId(), received.get(), request.path(),
            nodeId);
        return new FilesProtocol.Written(request.path(), received.get());
      }
      return reply;
    } catch (IOException | RuntimeException e) {
      return new FilesProtocol.Unavailable("writing " + request.path() + " failed: " + Failures.rootMessage(e));
    } finally {
      running.decrementAndGet();
      activity.activity(request.environmentId());
    }
  }

  /** Who the container runs as (its files are theirs): asked of the container, which may name its user or not. */
  private TarOwnership.Owner owner(String containerId) {
    var ids = runtime.exec(containerId, List.of("sh", "-c", "id -u; id -g"), null, MKDIR_TIMEOUT, 4096);
    String[] lines = ids.stdout().strip().split("\\s+");
    if (ids.exitCode() == null || ids.exitCode() != 0 || lines.length != 2) {
      throw new IllegalStateException("cannot tell the container's user: " + ids.stderr().strip());
    }
    return new TarOwnership.Owner(Long.parseLong(lines[0]), Long.parseLong(lines[1]));
  }

  /** The directory is made first (as the container's user): a tar goes into it, wherever it is. */
  private Reply putArchive(NodeProtocol.PutFilesIn request, InputStream tar) {
    var made = runtime.exec(request.containerId(), List.of("mkdir", "-p", "--", request.path()), null, MKDIR_TIMEOUT, 4096);
    if (made.exitCode() == null || made.exitCode() != 0) {
      return new FilesProtocol.Unavailable("cannot make directory " + request.path() + ": " + made.stderr().strip());
    }
    return runtime.putArchive(request.containerId(), request.path(), tar, settings.transferTimeout())
        ? new FilesProtocol.Written(request.path(), 0)
        : new FilesProtocol.Missing(request.path());
  }

  /** One file: a tar of one entry, its header first. Its size must be known before the header: unknown, it is counted into a spool file. */
  private Reply putFile(NodeProtocol.PutFilesIn request, InputStream content, TarOwnership.Owner owner)
      throws IOException {
    String parent = RemotePaths.parent(request.path());
    String name = RemotePaths.name(request.path());
    if (request.length() != null) {
      return written(request, parent, SingleFileTar.of(name, request.length(), content, owner));
    }
    Path spool = Files.createTempFile("dcloud-upload-", ".bin");
    try {
      long length = Files.copy(content, spool, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
      try (InputStream spooled = Files.newInputStream(spool)) {
        return written(request, parent, SingleFileTar.of(name, length, spooled, owner));
      }
    } finally {
      Files.deleteIfExists(spool);
    }
  }

  private Reply written(NodeProtocol.PutFilesIn request, String parent, InputStream tar) {
    return runtime.putArchive(request.containerId(), parent, tar, settings.transferTimeout())
        ? new FilesProtocol.Written(request.path(), 0)
        : new FilesProtocol.Missing(parent);
  }

  Reply get(NodeProtocol.GetFilesIn request, ActorSystem<?> system) {
    Optional<Reply> refused = takeSlot(request.environmentId());
    if (refused.isPresent()) {
      return refused.get();
    }
    AtomicBoolean released = new AtomicBoolean();
    Runnable release = () -> {
      if (released.compareAndSet(false, true)) {
        running.decrementAndGet();
        activity.activity(request.environmentId());
      }
    };
    try {
      activity.activity(request.environmentId());
      Optional<InputStream> archive = runtime.getArchive(request.containerId(), request.path());
      if (archive.isEmpty()) {
        release.run();
        return new FilesProtocol.Missing(request.path());
      }
      return read(request, archive.get(), release, system);
    } catch (IOException | RuntimeException e) {
      release.run();
      return new FilesProtocol.Unavailable("reading " + request.path() + " failed: " + Failures.rootMessage(e));
    }
  }

  /** Looks at the tar's first entry: a regular file is sent as its bytes, anything else as the whole tar. */
  private Reply read(NodeProtocol.GetFilesIn request, InputStream archive, Runnable release, ActorSystem<?> system)
      throws IOException {
    BufferedInputStream buffered = new BufferedInputStream(archive, HEADER_LOOKAHEAD);
    buffered.mark(HEADER_LOOKAHEAD);
    TarArchiveInputStream tar = new TarArchiveInputStream(buffered);
    TarArchiveEntry first = tar.getNextEntry();
    boolean file = first != null && first.isFile();
    InputStream content = file ? tar : rewound(buffered);
    var ref = StreamConverters.fromInputStream(() -> content)
        .withAttributes(ActorAttributes.dispatcher(SessionSettings.DISPATCHER))
        .map(ByteString::toArray)
        .watchTermination((mat, done) -> done.whenComplete((ok, failure) -> {
          closeQuietly(content);
          release.run();
        }))
        .runWith(StreamRefs.sourceRef(), system);
    LOG.info("Environment {}: reading {} ({}) on node {}", request.environmentId(), request.path(),
        file ? first.getSize() + " bytes" : "as a tar", nodeId);
    return new FilesProtocol.Read(RemotePaths.name(request.path()), !file, file ? first.getSize() : null, ref);
  }

  private static InputStream rewound(BufferedInputStream buffered) {
    try {
      buffered.reset();
      return buffered;
    } catch (IOException e) {
      throw new UncheckedIOException("the tar's first headers are longer than " + HEADER_LOOKAHEAD + " bytes", e);
    }
  }

  private Optional<Reply> takeSlot(String environmentId) {
    if (running.incrementAndGet() > settings.maxFileTransfers()) {
      running.decrementAndGet();
      LOG.info("Node {} refused a file transfer in environment {}: it already runs {} (dcloud.node.max-file-transfers)",
          nodeId, environmentId, settings.maxFileTransfers());
      return Optional.of(new FilesProtocol.Refused("node " + nodeId + " already runs " + settings.maxFileTransfers()
          + " file transfers, its limit: try again later", settings.maxFileTransfers()));
    }
    return Optional.empty();
  }

  private static void closeQuietly(InputStream stream) {
    try {
      stream.close();
    } catch (IOException ignored) {
      // The transfer is over either way.
    }
  }
}
