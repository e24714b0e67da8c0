package io.dcloud.node;

import io.dcloud.deploy.ContainerRuntime;
import io.dcloud.deploy.ShellSession;
import io.dcloud.node.ShellProtocol.Input;
import io.dcloud.node.ShellProtocol.Output;
import java.io.IOException;
import java.util.Arrays;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.stream.ActorAttributes;
import org.apache.pekko.stream.SourceRef;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.stream.javadsl.StreamRefs;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Interactive commands in this node's containers ({@link NodeProtocol.ShellIn}): the user's input
 * stream is written to the command, its output read into a stream the gateway pulls, ending with
 * its exit code. Each session holds a socket to the engine and two threads of the session dispatcher
 * while it lasts, so at most {@code dcloud.node.max-shells} run at once. A session ends, and gives
 * its slot back, however it ends: the command exits, the gateway stops reading (the WebSocket
 * closed), or the input stream ends without an end-of-input (the user went away).
 */
final class ShellSessions {
  private static final Logger LOG = LoggerFactory.getLogger(ShellSessions.class);
  private static final int READ_CHUNK = 8192;

  private final String nodeId;
  private final ContainerRuntime runtime;
  private final SessionSettings settings;
  private final ContainerActivity activity;
  private final Executor blocking;
  private final AtomicInteger open = new AtomicInteger();

  /** {@code blocking} runs the engine calls a session makes besides its reads and writes. */
  ShellSessions(String nodeId, ContainerRuntime runtime, SessionSettings settings, ContainerActivity activity,
      Executor blocking) {
    this.nodeId = nodeId;
    this.blocking = blocking;
    this.runtime = runtime;
    this.settings = settings;
    this.activity = activity;
  }

  /** Sessions running now. */
  int open() {
    return open.get();
  }

  /** Blocks while the engine starts the command: call it on the session dispatcher. */
  ShellProtocol.Reply open(NodeProtocol.ShellIn request, ActorSystem<?> system) {
    String environmentId = request.environmentId();
    if (open.incrementAndGet() > settings.maxShells()) {
      open.decrementAndGet();
      LOG.info("Node {} refused a shell in environment {}: it already runs {} (dcloud.node.max-shells)",
          nodeId, environmentId, settings.maxShells());
      return new ShellProtocol.Refused("node " + nodeId + " already runs " + settings.maxShells()
          + " interactive commands, its limit: try again later", settings.maxShells());
    }
    ShellSession session;
    try {
      session = runtime.shell(request.containerId(), request.command(), request.tty());
    } catch (RuntimeException e) {
      open.decrementAndGet();
      return new ShellProtocol.Unavailable(Failures.rootMessage(e));
    }
    activity.activity(environmentId);
    LOG.info("Environment {}: {} started interactively on node {} (tty={})", environmentId, request.command().get(0),
        nodeId, request.tty());
    AtomicBoolean ended = new AtomicBoolean();
    // Closing may hang up a command that still runs (engine calls): never on a stream's own thread.
    Runnable end = () -> {
      if (ended.compareAndSet(false, true)) {
        CompletableFuture.runAsync(() -> {
          session.close();
          open.decrementAndGet();
          LOG.info("Environment {}: the interactive {} on node {} ended", environmentId, request.command().get(0), nodeId);
        }, blocking);
      }
    };
    feed(request, session, end, system);
    return new ShellProtocol.Opened(output(environmentId, session, end).runWith(StreamRefs.sourceRef(), system));
  }

  /** The user's input into the command; an input that ends before its end-of-input means the user left. */
  private void feed(NodeProtocol.ShellIn request, ShellSession session, Runnable end, ActorSystem<?> system) {
    AtomicBoolean stdinClosed = new AtomicBoolean();
    request.input().getSource()
        .map(input -> {
          write(session, input, stdinClosed);
          activity.activity(request.environmentId());
          return input;
        })
        .withAttributes(ActorAttributes.dispatcher(SessionSettings.DISPATCHER))
        .runWith(Sink.ignore(), system)
        .whenComplete((done, failure) -> {
          if (failure != null || !stdinClosed.get()) {
            LOG.debug("Environment {}: the input of a shell ended without end-of-input ({}): ending it",
                request.environmentId(), failure == null ? "completed" : failure.toString());
            end.run();
          }
        });
  }

  private static void write(ShellSession session, Input input, AtomicBoolean stdinClosed) throws IOException {
    if (input instanceof ShellProtocol.Stdin stdin) {
      session.write(stdin.bytes());
    } else if (input instanceof ShellProtocol.Resize resize) {
      session.resize(resize.cols(), resize.rows());
    } else if (input instanceof ShellProtocol.StdinEnd && stdinClosed.compareAndSet(false, true)) {
      session.closeStdin();
    }
  }

  /**
   * The command's output, then its exit code. The blocking reads run in their own island (async),
   * so a downstream cancel reaches the termination watch at once and closing the session ends a
   * read that waits on a silent command.
   */
  private Source<Output, ?> output(String environmentId, ShellSession session, Runnable end) {
    Source<Output, ?> bytes = Source.unfoldResource(
            () -> session,
            s -> {
              byte[] buffer = new byte[READ_CHUNK];
              int n = s.read(buffer);
              return n < 0 ? Optional.<Output>empty() : Optional.<Output>of(new ShellProtocol.Bytes(Arrays.copyOf(buffer, n)));
            },
            s -> { })
        .withAttributes(ActorAttributes.dispatcher(SessionSettings.DISPATCHER))
        .async();
    // Asked only once the output ended (lazily), off the stream's thread: the engine records it a moment later.
    Source<Output, ?> exit = Source.lazyCompletionStage(
        () -> CompletableFuture.supplyAsync(() -> new ShellProtocol.Exit(session.exitCode()), blocking));
    return bytes
        .map(output -> {
          activity.activity(environmentId);
          return output;
        })
        .concatLazy(exit)
        .watchTermination((mat, done) -> done.whenComplete((ok, failure) -> end.run()));
  }
}
