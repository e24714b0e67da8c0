package io.dcloud.node;

import io.dcloud.serialization.CborSerializable;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import org.apache.pekko.stream.SourceRef;

/**
 * What the gateway's proxy ({@code /api/v1/environments/{id}/proxy/{port}/...}) sends through an
 * environment's entity to the node that runs it, and what that node answers. The node, not the
 * gateway, talks to the container: only it can reach the container's published port. Bodies and
 * WebSocket messages cross the cluster as StreamRefs of small pieces (an inline {@link Chunk} when
 * a body is small and known whole), each well under artery's largest frame.
 */
public final class ProxyWire {
  private ProxyWire() {}

  /**
   * Set in every container (DCLOUD_* is reserved for the runtime): the path under which the proxy
   * serves it, so a web application can serve under {@code $DCLOUD_PROXY_PREFIX/<its port>/}.
   */
  public static final String PREFIX_VARIABLE = "DCLOUD_PROXY_PREFIX";

  /** Per hop, never forwarded (RFC 9110 7.6.1), lower case: each client and server sets its own. */
  public static final Set<String> HOP_BY_HOP = Set.of(
      "connection", "keep-alive", "proxy-connection", "te", "trailer", "transfer-encoding", "upgrade",
      "proxy-authenticate", "proxy-authorization");

  /** {@code /api/v1/environments/<id>/proxy}: the proxy's path of an environment, without its port. */
  public static String prefix(String environmentId) {
    return "/api/v1/environments/" + environmentId + "/proxy";
  }

  /** One HTTP request or one WebSocket to forward. */
  public sealed interface Call extends CborSerializable {}

  /**
   * {@code target}: the path and query as the container receives them (the whole proxy path: an
   * application serves under the prefix it is told in DCLOUD_PROXY_PREFIX). {@code headers}: already
   * without DCloud's credentials. Exactly one of {@code body} (whole, small) and {@code bodyStream}
   * is set, or neither for no body. {@code contentType} is null without a body.
   */
  public record Http(
      String method, String target, List<Header> headers, String contentType, Chunk body, SourceRef<Chunk> bodyStream)
      implements Call {}

  /**
   * A WebSocket opened to {@code target}; {@code subprotocols} offered by the client (may be empty);
   * {@code fromClient}: the client's messages, in pieces.
   */
  public record WebSocket(String target, List<Header> headers, List<String> subprotocols, SourceRef<Frame> fromClient)
      implements Call {}

  public record Header(String name, String value) implements CborSerializable {}

  /** A piece of an HTTP body. */
  public record Chunk(byte[] bytes) implements CborSerializable {
    @Override
    public boolean equals(Object other) {
      return other instanceof Chunk chunk && Arrays.equals(bytes, chunk.bytes);
    }

    @Override
    public int hashCode() {
      return Arrays.hashCode(bytes);
    }

    @Override
    public String toString() {
      return "Chunk[" + bytes.length + " bytes]";
    }
  }

  /**
   * A piece of a WebSocket message: a long message is cut into several, the one with {@code last}
   * ends it. {@code text}: a text message (its UTF-8 bytes) rather than a binary one.
   */
  public record Frame(boolean text, byte[] bytes, boolean last) implements CborSerializable {
    @Override
    public boolean equals(Object other) {
      return other instanceof Frame frame && text == frame.text && last == frame.last && Arrays.equals(bytes, frame.bytes);
    }

    @Override
    public int hashCode() {
      return 31 * Arrays.hashCode(bytes) + (text ? 2 : 0) + (last ? 1 : 0);
    }

    @Override
    public String toString() {
      return "Frame[" + (text ? "text, " : "binary, ") + bytes.length + " bytes" + (last ? ", last]" : "]");
    }
  }

  public sealed interface Reply extends CborSerializable {}

  /** The container's answer to an {@link Http}: like its request, {@code body} or {@code bodyStream} or neither. */
  public record Response(
      int status, List<Header> headers, String contentType, Chunk body, SourceRef<Chunk> bodyStream)
      implements Reply {}

  /** The container accepted the WebSocket ({@code subprotocol}: the one it chose, or null). */
  public record WebSocketOpened(String subprotocol, SourceRef<Frame> toClient) implements Reply {}

  /** Why nothing was forwarded, for the gateway to answer with the right status. */
  public enum Why {
    /** The environment is not running (or does not exist any more). */
    NOT_RUNNING,
    /** The port is not one the environment publishes. */
    NO_SUCH_PORT,
    /** The node could not reach the container, or it refused the WebSocket. */
    UNREACHABLE
  }

  public record Unavailable(Why why, String reason) implements Reply {}
}
