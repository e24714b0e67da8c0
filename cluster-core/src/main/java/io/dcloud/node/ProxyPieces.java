package io.dcloud.node;

import java.util.ArrayList;
import java.util.List;
import org.apache.pekko.NotUsed;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.util.ByteString;

/**
 * Cuts proxied bytes into the pieces {@link ProxyWire} carries, and glues a WebSocket message's
 * pieces back together. A piece stays far under artery's largest frame
 * ({@code pekko.remote.artery.advanced.maximum-frame-size}, 256KiB by default) whatever one
 * message or one chunk of a body weighs: a notebook's output can be megabytes in one message.
 */
public final class ProxyPieces {
  /** Bytes in one piece; a body no longer than this travels inline, in the request or answer itself. */
  public static final int SIZE = 64 * 1024;

  private ProxyPieces() {}

  public static List<ProxyWire.Chunk> chunks(ByteString bytes) {
    List<ProxyWire.Chunk> chunks = new ArrayList<>();
    for (int from = 0; from < bytes.size(); from += SIZE) {
      chunks.add(new ProxyWire.Chunk(bytes.slice(from, Math.min(bytes.size(), from + SIZE)).toArray()));
    }
    return chunks;
  }

  /** One whole message as frames: at least one (an empty message is one empty last frame). */
  public static List<ProxyWire.Frame> frames(boolean text, ByteString message) {
    List<ProxyWire.Frame> frames = new ArrayList<>();
    int from = 0;
    do {
      int to = Math.min(message.size(), from + SIZE);
      frames.add(new ProxyWire.Frame(text, message.slice(from, to).toArray(), to == message.size()));
      from = to;
    } while (from < message.size());
    return frames;
  }

  /** Whole messages out of their frames: each output frame is one message, with {@code last} set. */
  public static Flow<ProxyWire.Frame, ProxyWire.Frame, NotUsed> wholeMessages() {
    return Flow.<ProxyWire.Frame>create().statefulMapConcat(() -> {
      var pending = new org.apache.pekko.util.ByteStringBuilder();
      return frame -> {
        pending.putBytes(frame.bytes());
        if (!frame.last()) {
          return List.of();
        }
        ByteString whole = pending.result();
        pending.clear();
        return List.of(new ProxyWire.Frame(frame.text(), whole.toArray(), true));
      };
    });
  }
}
