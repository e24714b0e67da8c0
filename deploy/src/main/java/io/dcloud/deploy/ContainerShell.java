package io.dcloud.deploy;

import com.github.dockerjava.api.DockerClient;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An interactive {@code docker exec} ({@link ShellSession}). docker-java creates the exec (no user
 * given: the container's own user runs it) and resizes its terminal, but its attached stdin can never
 * be half-closed, so a command reading its input would never see the end of it. The attach itself is
 * therefore DCloud's own HTTP upgrade over a socket to the engine, as the docker CLI does it: the
 * socket's output side is shut down to close the command's stdin, and closing the socket ends the
 * session. Without a terminal the engine multiplexes stdout and stderr in 8-byte-headed frames,
 * which {@link #read} unwraps.
 */
final class ContainerShell implements ShellSession {
  private static final Logger log = LoggerFactory.getLogger(ContainerShell.class);
  private static final Duration EXIT_CODE_POLL = Duration.ofMillis(20);
  private static final int MAX_HEADER_BYTES = 64 * 1024;
  private static final int FRAME_HEADER = 8;

  private final DockerClient client;
  private final DaemonCalls calls;
  private final Duration callTimeout;
  private final String execId;
  private final boolean tty;
  private final SocketChannel socket;
  private final String what;
  private final AtomicBoolean closed = new AtomicBoolean();
  /** Bytes left of the current frame (multiplexed output only); read on the reading thread only. */
  private int frameLeft;

  private ContainerShell(DockerClient client, DaemonCalls calls, Duration callTimeout, String execId, boolean tty,
      SocketChannel socket, String what) {
    this.client = client;
    this.calls = calls;
    this.callTimeout = callTimeout;
    this.execId = execId;
    this.tty = tty;
    this.socket = socket;
    this.what = what;
  }

  static ContainerShell open(EngineConnection.Pinned engine, DaemonCalls calls, Duration callTimeout, String dockerHost,
      String containerId, List<String> command, boolean tty) {
    String what = "opening " + command.get(0) + " in container " + DockerRuntime.shortId(containerId);
    DockerClient client = engine.client();
    String execId = calls.call(what, callTimeout, () -> client.execCreateCmd(containerId)
        .withCmd(command.toArray(String[]::new))
        .withAttachStdin(true)
        .withAttachStdout(true)
        .withAttachStderr(true)
        .withTty(tty)
        .exec()
        .getId());
    SocketChannel socket = calls.call(what, callTimeout, () -> upgrade(dockerHost, engine.apiVersion(), execId, tty, what));
    log.debug("{}: attached to exec {} (tty={})", what, execId, tty);
    return new ContainerShell(client, calls, callTimeout, execId, tty, socket, what);
  }

  /** POST /exec/{id}/start with {@code Upgrade: tcp}; the socket then carries the command's streams. */
  private static SocketChannel upgrade(String dockerHost, String apiVersion, String execId, boolean tty, String what)
      throws IOException {
    SocketChannel socket = connect(dockerHost);
    try {
      byte[] body = ("{\"Detach\":false,\"Tty\":" + tty + "}").getBytes(StandardCharsets.US_ASCII);
      String head = "POST /v" + apiVersion + "/exec/" + execId + "/start HTTP/1.1\r\n"
          + "Host: docker\r\nContent-Type: application/json\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n"
          + "Content-Length: " + body.length + "\r\n\r\n";
      writeFully(socket, head.getBytes(StandardCharsets.US_ASCII));
      writeFully(socket, body);
      String headers = readHeaders(socket);
      String status = headers.lines().findFirst().orElse("");
      // 101 Switching Protocols; engines before API 1.42 may answer 200 and hijack all the same.
      if (!status.matches("HTTP/1\\.[01] (101|200)\\b.*")) {
        throw new RuntimeFailure(what + " failed: the Docker Engine answered " + status);
      }
      return socket;
    } catch (IOException | RuntimeException e) {
      socket.close();
      throw e;
    }
  }

  private static SocketChannel connect(String dockerHost) throws IOException {
    URI uri = URI.create(dockerHost);
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    return switch (scheme) {
      case "unix" -> SocketChannel.open(UnixDomainSocketAddress.of(uri.getPath()));
      case "tcp" -> SocketChannel.open(new InetSocketAddress(uri.getHost(), uri.getPort()));
      default -> throw new RuntimeFailure("interactive commands need the Docker Engine on a unix:// or tcp:// address, not "
          + dockerHost + " (dcloud.deploy.docker.host)");
    };
  }

  /** Byte by byte, so not one byte of the command's output is read past the headers. */
  private static String readHeaders(SocketChannel socket) throws IOException {
    ByteArrayOutputStream headers = new ByteArrayOutputStream();
    ByteBuffer one = ByteBuffer.allocate(1);
    while (headers.size() < MAX_HEADER_BYTES) {
      one.clear();
      if (socket.read(one) < 0) {
        break;
      }
      headers.write(one.get(0));
      byte[] bytes = headers.toByteArray();
      int n = bytes.length;
      if (n >= 4 && bytes[n - 4] == '\r' && bytes[n - 3] == '\n' && bytes[n - 2] == '\r' && bytes[n - 1] == '\n') {
        break;
      }
    }
    return headers.toString(StandardCharsets.US_ASCII);
  }

  @Override
  public int read(byte[] buffer) throws IOException {
    if (closed.get()) {
      return -1;
    }
    try {
      if (tty) {
        return socket.read(ByteBuffer.wrap(buffer));
      }
      while (frameLeft == 0) {
        ByteBuffer header = ByteBuffer.allocate(FRAME_HEADER);
        if (!readFully(header)) {
          return -1;
        }
        frameLeft = header.getInt(4);
      }
      int n = socket.read(ByteBuffer.wrap(buffer, 0, Math.min(buffer.length, frameLeft)));
      if (n > 0) {
        frameLeft -= n;
      }
      return n;
    } catch (IOException e) {
      if (closed.get()) {
        return -1; // closed under a blocked read: that is the end, not a failure
      }
      throw e;
    }
  }

  private boolean readFully(ByteBuffer buffer) throws IOException {
    while (buffer.hasRemaining()) {
      if (socket.read(buffer) < 0) {
        return false;
      }
    }
    return true;
  }

  @Override
  public void write(byte[] bytes) throws IOException {
    writeFully(socket, bytes);
  }

  private static void writeFully(SocketChannel socket, byte[] bytes) throws IOException {
    ByteBuffer buffer = ByteBuffer.wrap(bytes);
    while (buffer.hasRemaining()) {
      socket.write(buffer);
    }
  }

  @Override
  public void closeStdin() throws IOException {
    socket.shutdownOutput();
  }

  @Override
  public void resize(int cols, int rows) {
    if (tty && !closed.get()) {
      calls.run(what + " (resizing its terminal)", callTimeout,
          () -> client.resizeExecCmd(execId).withSize(rows, cols).exec());
    }
  }

  /** The engine records the exit code a moment after the output ends: ask again while it shows as running. */
  @Override
  public Integer exitCode() {
    Long code = calls.call(what + " (reading its exit code)", callTimeout, () -> {
      var exec = client.inspectExecCmd(execId).exec();
      while (Boolean.TRUE.equals(exec.isRunning())) {
        Thread.sleep(EXIT_CODE_POLL.toMillis());
        exec = client.inspectExecCmd(execId).exec();
      }
      return exec.getExitCodeLong();
    });
    return code == null ? null : code.intValue();
  }

  @Override
  public void close() {
    if (closed.compareAndSet(false, true)) {
      try {
        socket.close();
      } catch (IOException e) {
        log.debug("{}: closing the engine connection failed", what, e);
      }
      log.debug("{}: closed exec {}", what, execId);
    }
  }
}
