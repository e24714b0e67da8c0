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
 */
final class LogLines implements Consumer<Frame> {

  private static final byte NEWLINE = '\n';
  private static final byte CARRIAGE_RETURN = '\r';

  private final Consumer<String> line;
  private final Map<StreamType, ByteArrayOutputStream> partial = new EnumMap<>(StreamType.class);

  LogLines(Consumer<String> line) {
    this.line = line;
  }

  @Override
  public synchronized void accept(Frame frame) {
    ByteArrayOutputStream buffer = partial.computeIfAbsent(frame.getStreamType(), t -> new ByteArrayOutputStream());
    for (byte b : frame.getPayload()) {
      if (b == NEWLINE) {
        emit(buffer);
      } else {
        buffer.write(b);
      }
    }
  }

  /** Emits what is left of unterminated lines once the stream ended. */
  synchronized void flush() {
    partial.values().forEach(buffer -> {
      if (buffer.size() > 0) {
        emit(buffer);
      }
    });
  }

  private void emit(ByteArrayOutputStream buffer) {
    byte[] bytes = buffer.toByteArray();
    buffer.reset();
    int length = bytes.length > 0 && bytes[bytes.length - 1] == CARRIAGE_RETURN ? bytes.length - 1 : bytes.length;
    line.accept(new String(bytes, 0, length, StandardCharsets.UTF_8));
  }
}
