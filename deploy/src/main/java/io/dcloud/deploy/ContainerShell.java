package io.dcloud.deploy;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.async.ResultCallback;
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
import java.util.UUID;
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
 *
 * <p>The engine cannot kill an exec, and closing its connection does not end it (a terminal's
 * processes do not even see end-of-input). So each session's processes carry {@code
 * DCLOUD_SESSION=<id>} in their environment (their children inherit it), and a session closed
 * before its command ended hangs them up: SIGHUP, from a second exec as the same user.
 */
final class ContainerShell implements ShellSession {
  private static final Logger log = LoggerFactory.getLogger(ContainerShell.class);
  private static final Duration EXIT_CODE_POLL = Duration.ofMillis(20);
  private static final int MAX_HEADER_BYTES = 64 * 1024;
  private static final int FRAME_HEADER = 8;
  static final String SESSION_VARIABLE = "DCLOUD_SESSION";
  /** $1 is the session id: every process of the container's user whose environment has it gets SIGHUP. */
  private static final String HANG_UP = "for p in /proc/[0-9]*; do "
      + "if tr '\\0' '\\n' < \"$p/environ\" 2>/dev/null | grep -qx \"" + SESSION_VARIABLE + "=$1\"; then "
      + "kill -HUP \"${p#/proc/}\" 2>/dev/null; fi; done; true";

  private final DockerClient client;
  private final DaemonCalls calls;
  private final String containerId;
  private final String sessionId;
  private final Duration callTimeout;
  private final String execId;
  private final boolean tty;
  private final SocketChannel socket;
  private final String what;
  private final AtomicBoolean closed = new AtomicBoolean();
  /** Set when the engine ended the output: the command is over, nothing to hang up. */
  private volatile boolean outputEnded;
  /** Bytes left of the current frame (multiplexed output only); read on the reading thread only. */
  private int frameLeft;

  private ContainerShell(DockerClient client, DaemonCalls calls, Duration callTimeout, String containerId,
      String sessionId, String execId, boolean tty, SocketChannel socket, String what) {
    this.client = client;
    this.calls = calls;
    this.containerId = containerId;
    this.sessionId = sessionId;
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
    String sessionId = UUID.randomUUID().toString();
    String execId = calls.call(what, callTimeout, () -> client.execCreateCmd(containerId)
        .withCmd(command.toArray(String[]::new))
        .withEnv(List.of(SESSION_VARIABLE + "=" + sessionId))
        .withAttachStdin(true)
        .withAttachStdout(true)
        .withAttachStderr(true)
        .withTty(tty)
        .exec()
        .getId());
    SocketChannel socket = calls.call(what, callTimeout, () -> upgrade(dockerHost, engine.apiVersion(), execId, tty, what));
    log.debug("{}: attached to exec {} (tty={})", what, execId, tty);
    return new ContainerShell(client, calls, callTimeout, containerId, sessionId, execId, tty, socket, what);
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
      int n = tty ? socket.read(ByteBuffer.wrap(buffer)) : readFrames(buffer);
      if (n < 0) {
        outputEnded = true;
      }
      return n;
    } catch (IOException e) {
      if (closed.get()) {
        return -1; // closed under a blocked read: that is the end, not a failure
      }
      throw e;
    }
  }

  private int readFrames(byte[] buffer) throws IOException {
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
    if (closed.get()) {
      return null; // ended by us, not by the command: it may still run, and nobody waits for its code
    }
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

  /** Blocks while it hangs up a command that still runs (one short engine call or two). */
  @Override
  public void close() {
    if (closed.compareAndSet(false, true)) {
      try {
        socket.close();
      } catch (IOException e) {
        log.debug("{}: closing the engine connection failed", what, e);
      }
      if (!outputEnded) {
        hangUp();
      }
      log.debug("{}: closed exec {}", what, execId);
    }
  }

  private void hangUp() {
    try {
      calls.call(what + " (hanging it up)", callTimeout, () -> {
        String hangUp = client.execCreateCmd(containerId).withCmd("sh", "-c", HANG_UP, "dcloud-hang-up", sessionId)
            .exec().getId();
        return client.execStartCmd(hangUp).withDetach(true).exec(new ResultCallback.Adapter<>()).awaitCompletion();
      });
    } catch (RuntimeException e) {
      // The container may be gone already, and with it the command.
      log.info("{}: could not hang up the abandoned command: {}", what, e.getMessage());
    }
  }
}
