package io.dcloud.node;

import io.dcloud.serialization.CborSerializable;
import org.apache.pekko.stream.SourceRef;

/**
 * The node's answers to file transfers ({@link NodeProtocol.PutFilesIn}, {@link
 * NodeProtocol.GetFilesIn}). Contents stream as byte-array StreamRefs, never whole in a message.
 */
public final class FilesProtocol {
  private FilesProtocol() {}

  public sealed interface Reply extends CborSerializable {}

  /** The upload is in the container: {@code bytes} were received. */
  public record Written(String path, long bytes) implements Reply {}

  /**
   * What is at the path: a regular file comes as its own bytes ({@code size} of them), anything else
   * (a directory) as a tar of it ({@code archive}); {@code name} is the path's last element.
   */
  public record Read(String name, boolean archive, Long size, SourceRef<byte[]> content) implements Reply {}

  /** Nothing is at {@code path} (for an upload of one file: its parent directory). */
  public record Missing(String path) implements Reply {}

  /** The transfer did not happen: the environment is not running, or the node failed (the reason says). */
  public record Unavailable(String reason) implements Reply {}

  /** The node already runs {@code limit} transfers (dcloud.node.max-file-transfers): try again later (HTTP 429). */
  public record Refused(String reason, int limit) implements Reply {}
}
