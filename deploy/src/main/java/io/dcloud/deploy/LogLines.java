package io.dcloud.deploy;

import com.github.dockerjava.api.model.Frame;
import com.github.dockerjava.api.model.StreamType;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.EnumMap;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Turns log frames into whole lines. A frame carries one write of the process, which may hold
 * several lines or half of one; stdout and stderr are buffered apart so their lines never mix.
 *
 * <p>A line keeps at most {@code maxLineBytes}: a process that prints megabytes without a newline
 * must not grow this buffer, nor the reader's. The rest of such a line is dropped and what is kept
 * ends with {@link #TRUNCATED}.
 */
final class LogLines implements Consumer<Frame> {

  static final String TRUNCATED = " … [truncated]";

  private static final byte NEWLINE = '\n';
  private static final byte CARRIAGE_RETURN = '\r';
  /** UTF-8 continuation bytes are 10xxxxxx: a cut must not split a character. */
  private static final int CONTINUATION_MASK = 0xC0;
  private static final int CONTINUATION = 0x80;

  private final Consumer<String> line;
  private final int maxLineBytes;
  private final Map<StreamType, Partial> partial = new EnumMap<>(StreamType.class);

  /** One stream's unfinished line, and whether bytes of it were already dropped. */
  private static final class Partial {
    final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    boolean truncated;
  }

  LogLines(Consumer<String> line, int maxLineBytes) {
    this.line = line;
    this.maxLineBytes = maxLineBytes;
  }

  @Override
  public synchronized void accept(Frame frame) {
    Partial buffer = partial.computeIfAbsent(frame.getStreamType(), t -> new Partial());
    for (byte b : frame.getPayload()) {
      if (b == NEWLINE) {
        emit(buffer);
      } else if (buffer.bytes.size() < maxLineBytes) {
        buffer.bytes.write(b);
      } else {
        buffer.truncated = true;
      }
    }
  }

  /** Emits what is left of unterminated lines once the stream ended. */
  synchronized void flush() {
    partial.values().forEach(buffer -> {
      if (buffer.bytes.size() > 0 || buffer.truncated) {
        emit(buffer);
      }
    });
  }

  private void emit(Partial buffer) {
    byte[] bytes = buffer.bytes.toByteArray();
    boolean truncated = buffer.truncated;
    buffer.bytes.reset();
    buffer.truncated = false;
    int length = bytes.length;
    if (truncated) {
      while (length > 0 && (bytes[length - 1] & CONTINUATION_MASK) == CONTINUATION) {
        length--; // the continuation bytes of a character that was cut
      }
      if (length > 0 && (bytes[length - 1] & CONTINUATION) != 0) {
        length--; // its lead byte
      }
    } else if (length > 0 && bytes[length - 1] == CARRIAGE_RETURN) {
      length--;
    }
    String text = new String(bytes, 0, length, StandardCharsets.UTF_8);
    line.accept(truncated ? text + TRUNCATED : text);
  }
}
