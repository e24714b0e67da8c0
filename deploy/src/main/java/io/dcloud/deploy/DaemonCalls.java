package io.dcloud.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.dockerjava.api.exception.DockerException;
import java.io.IOException;
import java.net.ConnectException;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Runs daemon calls on an internal pool and waits for them with a deadline. docker-java's own
 * timeouts are not enforced over the unix socket, so a stuck engine would otherwise block the
 * caller for ever. A call that misses its deadline is abandoned (its thread is interrupted; the
 * socket read ends when the engine answers or the connection closes).
 */
final class DaemonCalls implements AutoCloseable {

  private static final Pattern STATUS_PREFIX = Pattern.compile("(?s)^Status (\\d+): (.*)$");
  private static final ObjectMapper JSON = new ObjectMapper();

  private final String dockerHost;
  private final ExecutorService pool;

  DaemonCalls(String dockerHost) {
    this.dockerHost = dockerHost;
    // Cached: abandoned calls must not starve new ones of threads.
    this.pool = Executors.newCachedThreadPool(daemonThreads("dcloud-docker-call-"));
  }

  /** {@code what} names the operation for the failure message, e.g. "starting container abc". */
  <T> T call(String what, Duration deadline, Callable<T> call) {
    Future<T> future = pool.submit(call);
    try {
      return future.get(deadline.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      future.cancel(true);
      throw new RuntimeFailure(
          what + " got no answer from the Docker Engine at " + dockerHost + " within " + human(deadline)
              + ": the engine is overloaded or stuck (check `docker info` and the dockerd log)");
    } catch (ExecutionException e) {
      throw failure(what, e.getCause());
    } catch (InterruptedException e) {
      future.cancel(true);
      Thread.currentThread().interrupt();
      throw new RuntimeFailure(what + " was interrupted", e);
    }
  }

  void run(String what, Duration deadline, Runnable call) {
    call(what, deadline, () -> {
      call.run();
      return null;
    });
  }

  /** A failure message a user can act on, from whatever docker-java threw. */
  RuntimeFailure failure(String what, Throwable cause) {
    if (cause instanceof RuntimeFailure failure) {
      return failure;
    }
    if (cause instanceof DockerException docker) {
      return new RuntimeFailure(what + " failed: " + engineMessage(docker), cause);
    }
    if (isConnectionFailure(cause)) {
      return new RuntimeFailure(
          what + " failed: the Docker Engine at " + dockerHost + " is unreachable (" + rootMessage(cause)
              + "): is dockerd running, and may this user open its socket?",
          cause);
    }
    return new RuntimeFailure(what + " failed: " + rootMessage(cause), cause);
  }

  /** The engine's own explanation, without docker-java's "Status 404: {json}" wrapping. */
  static String engineMessage(DockerException e) {
    String message = e.getMessage() == null ? "" : e.getMessage().trim();
    Matcher status = STATUS_PREFIX.matcher(message);
    if (!status.matches()) {
      return message;
    }
    String body = status.group(2).trim();
    try {
      JsonNode json = JSON.readTree(body);
      if (json != null && json.hasNonNull("message")) {
        return json.get("message").asText();
      }
    } catch (IOException notJson) {
      // the body is plain text: use it as it is
    }
    return body.isEmpty() ? "HTTP status " + status.group(1) : body;
  }

  static boolean isConnectionFailure(Throwable t) {
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (c instanceof ConnectException
          || c instanceof java.nio.file.NoSuchFileException
          || c instanceof java.net.SocketException
          || c instanceof java.net.UnknownHostException
          || (c instanceof IOException && String.valueOf(c.getMessage()).contains("No such file"))) {
        return true;
      }
    }
    return false;
  }

  static String rootMessage(Throwable t) {
    Throwable root = t;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    String message = root.getMessage();
    return message == null || message.isBlank() ? root.getClass().getSimpleName() : message;
  }

  static String human(Duration d) {
    return d.toString().substring(2).toLowerCase(java.util.Locale.ROOT);
  }

  static ThreadFactory daemonThreads(String prefix) {
    AtomicInteger counter = new AtomicInteger();
    return runnable -> {
      Thread thread = new Thread(runnable, prefix + counter.incrementAndGet());
      thread.setDaemon(true);
      return thread;
    };
  }

  @Override
  public void close() {
    pool.shutdownNow();
  }
}
