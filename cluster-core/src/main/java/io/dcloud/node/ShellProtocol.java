package io.dcloud.node;

import io.dcloud.serialization.CborSerializable;
import java.util.Arrays;
import org.apache.pekko.stream.SourceRef;

/**
 * An interactive command in an environment ({@link NodeProtocol.ShellIn}): the gateway streams the
 * user's input to the node as {@link Input} elements, the node streams the command's output back
 * as {@link Output} elements, the last of which is its {@link Exit}. Both streams are StreamRefs,
 * so they cross the cluster with back-pressure and end together with the WebSocket.
 */
public final class ShellProtocol {
  private ShellProtocol() {}

  /** What the user sends. The input stream's end without {@link StdinEnd} means the user went away. */
  public sealed interface Input extends CborSerializable {}

  public record Stdin(byte[] bytes) implements Input {
    @Override
    public boolean equals(Object other) {
      return other instanceof Stdin stdin && Arrays.equals(bytes, stdin.bytes);
    }

    @Override
    public int hashCode() {
      return Arrays.hashCode(bytes);
    }

    @Override
    public String toString() {
      return "Stdin[" + bytes.length + " bytes]";
    }
  }

  /** The user's terminal has a new size (ignored without a terminal). */
  public record Resize(int cols, int rows) implements Input {}

  /** Closes the command's stdin; its output keeps coming until it exits. */
  public record StdinEnd() implements Input {}

  /** What the command prints, then how it ended. */
  public sealed interface Output extends CborSerializable {}

  public record Bytes(byte[] bytes) implements Output {
    @Override
    public boolean equals(Object other) {
      return other instanceof Bytes that && Arrays.equals(bytes, that.bytes);
    }

    @Override
    public int hashCode() {
      return Arrays.hashCode(bytes);
    }

    @Override
    public String toString() {
      return "Bytes[" + bytes.length + " bytes]";
    }
  }

  /** The last element: the command's exit code (null when the engine does not know it). */
  public record Exit(Integer exitCode) implements Output {}

  public sealed interface Reply extends CborSerializable {}

  /** The command runs; its output comes through {@code output}. */
  public record Opened(SourceRef<Output> output) implements Reply {}

  /** The command could not start: the environment is not running, or the node failed (the reason says). */
  public record Unavailable(String reason) implements Reply {}

  /**
   * The node already runs {@code limit} interactive commands (dcloud.node.max-shells) and refuses
   * another until one ends: the caller should answer "try again later" (HTTP 429).
   */
  public record Refused(String reason, int limit) implements Reply {}
}
