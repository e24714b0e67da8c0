package io.dcloud.deploy;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.model.Frame;
import io.dcloud.deploy.ContainerRuntime.ExecResult;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * One {@code docker exec}: create the exec (no user given, so the container's default user runs
 * it, never root by our choice), attach stdout and stderr (and stdin when there is any: then the
 * command runs behind {@code sh -c} and {@code head}, which every image DCloud builds has), wait for
 * the end within the caller's deadline, then read the exit code. The output is kept up to a bound
 * and drained past it, so a chatty command never blocks on a full pipe.
 */
final class ContainerExec {

  private static final Duration EXIT_CODE_POLL = Duration.ofMillis(20);

  private ContainerExec() {}

  static ExecResult run(
      DockerClient client, DaemonCalls calls, Duration callTimeout, String containerId, List<String> command,
      String stdin, Duration timeout, long maxOutputBytes) {
    String what = "running " + command.get(0) + " in container " + DockerRuntime.shortId(containerId);
    byte[] input = stdin == null ? null : stdin.getBytes(StandardCharsets.UTF_8);
    List<String> argv = input == null ? command : withStdinEnd(command, input.length);
    String execId = calls.call(what, callTimeout, () -> client.execCreateCmd(containerId)
        .withCmd(argv.toArray(String[]::new))
        .withAttachStdout(true)
        .withAttachStderr(true)
        .withAttachStdin(stdin != null)
        .withTty(false)
        .exec()
        .getId());
    Bounded stdout = new Bounded(maxOutputBytes);
    Bounded stderr = new Bounded(maxOutputBytes);
    StreamCallback<Frame> frames = new StreamCallback<>(what, frame -> {
      switch (frame.getStreamType()) {
        case STDOUT, RAW -> stdout.add(frame.getPayload());
        case STDERR -> stderr.add(frame.getPayload());
        default -> { }
      }
    });
    var start = client.execStartCmd(execId).withDetach(false).withTty(false);
    if (stdin != null) {
      start.withStdIn(new ByteArrayInputStream(input));
    }
    start.exec(frames);
    boolean ended;
    try {
      ended = frames.awaitEnd(timeout);
    } catch (InterruptedException e) {
      frames.close();
      Thread.currentThread().interrupt();
      throw new RuntimeFailure(what + " was interrupted", e);
    }
    if (!ended) {
      // Closing the stream closes the command's pipes: the next write gets SIGPIPE.
      frames.close();
      return new ExecResult(null, stdout.text(), stderr.text(), stdout.truncated || stderr.truncated, true);
    }
    if (frames.error() != null) {
      throw calls.failure(what, frames.error());
    }
    Long exitCode = calls.call(what, callTimeout, () -> exitCode(client, execId));
    return new ExecResult(exitCode == null ? null : exitCode.intValue(), stdout.text(), stderr.text(),
        stdout.truncated || stderr.truncated, false);
  }

  /**
   * The engine ends the output stream when the command closes it, and records the exit code a
   * moment later: ask again (the call's deadline bounds it) while the exec still shows as running.
   */
  private static Long exitCode(DockerClient client, String execId) throws InterruptedException {
    var exec = client.inspectExecCmd(execId).exec();
    while (Boolean.TRUE.equals(exec.isRunning())) {
      Thread.sleep(EXIT_CODE_POLL.toMillis());
      exec = client.inspectExecCmd(execId).exec();
    }
    return exec.getExitCodeLong();
  }

  /**
   * docker-java writes stdin to the engine but never half-closes the connection, so the command
   * would wait for the end of its input for ever: {@code head -c} reads exactly the bytes sent and
   * then closes the command's stdin. The pipeline's exit status is the command's.
   */
  static List<String> withStdinEnd(List<String> command, int stdinBytes) {
    List<String> argv = new ArrayList<>(List.of("sh", "-c", STDIN_PIPE, "dcloud-exec", Integer.toString(stdinBytes)));
    argv.addAll(command);
    return argv;
  }

  /** {@code $1} is the byte count, the rest is the user's command, run as given (never re-parsed by the shell). */
  private static final String STDIN_PIPE = "n=$1; shift; head -c \"$n\" | \"$@\"";

  /** The first {@code limit} bytes of one stream, and whether more came. Frames arrive on one thread. */
  private static final class Bounded {
    private final long limit;
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private volatile boolean truncated;

    Bounded(long limit) {
      this.limit = limit;
    }

    synchronized void add(byte[] payload) {
      long room = limit - bytes.size();
      if (payload.length > room) {
        truncated = true;
      }
      bytes.write(payload, 0, (int) Math.max(0, Math.min(room, payload.length)));
    }

    synchronized String text() {
      return bytes.toString(StandardCharsets.UTF_8);
    }
  }
}
