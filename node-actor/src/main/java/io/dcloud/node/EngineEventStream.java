package io.dcloud.node;

import io.dcloud.deploy.ContainerRuntime;
import io.dcloud.deploy.ContainerRuntime.ContainerEvent;
import java.io.Closeable;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.apache.pekko.actor.NoSerializationVerificationNeeded;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;

/**
 * The NodeActor's watch of its engine's container events (die, destroy): opened on the blocking
 * pool (the engine may take up to its call timeout to answer), opened again shortly after the engine
 * restarts or the stream breaks, closed when the actor stops. Each time it is open, {@code
 * watching} runs — the reconciliation, so that what happens after its listing is seen as an
 * event and nothing falls between the two.
 */
final class EngineEventStream {
  /** The steps, as messages to the NodeActor. */
  sealed interface Step extends NodeActor.Message, NoSerializationVerificationNeeded {}

  /** One event of the engine's. */
  record Event(ContainerEvent event) implements Step {}

  /** The stream the blocking pool opened. */
  record Opened(Closeable watch) implements Step {}

  record Ended(Throwable cause) implements Step {}

  enum OpenAgain implements Step { INSTANCE }

  private final ActorContext<NodeActor.Message> context;
  private final TimerScheduler<NodeActor.Message> timers;
  private final String nodeId;
  private final ContainerRuntime runtime;
  private final Executor blocking;
  private final Duration reopenAfter;
  private final Runnable watching;
  private final Consumer<ContainerEvent> events;
  private Closeable open;
  /** Set when the actor stops, for a stream still being opened on the blocking pool. */
  private final AtomicBoolean stopped = new AtomicBoolean();

  EngineEventStream(ActorContext<NodeActor.Message> context, TimerScheduler<NodeActor.Message> timers, String nodeId,
      ContainerRuntime runtime, Executor blocking, Duration reopenAfter, Runnable watching, Consumer<ContainerEvent> events) {
    this.context = context;
    this.timers = timers;
    this.nodeId = nodeId;
    this.runtime = runtime;
    this.blocking = blocking;
    this.reopenAfter = reopenAfter;
    this.watching = watching;
    this.events = events;
  }

  /** Opens the stream off the actor's thread. */
  void open() {
    ActorRef<NodeActor.Message> self = context.getSelf();
    context.pipeToSelf(
        CompletableFuture.supplyAsync(() -> {
          Closeable watch = runtime.watchEvents(event -> self.tell(new Event(event)), cause -> self.tell(new Ended(cause)));
          if (stopped.get()) {
            ContainerOperations.closeQuietly(watch); // nobody is left to close it
          }
          return watch;
        }, blocking),
        (watch, failure) -> failure == null ? new Opened(watch) : new Ended(failure));
  }

  void on(Step step) {
    if (step instanceof Event event) {
      events.accept(event.event());
    } else if (step instanceof Opened opened) {
      open = opened.watch();
      watching.run();
    } else if (step instanceof Ended ended) {
      context.getLog().warn("Node {} lost the container event stream ({}); watching again in {}", nodeId,
          ended.cause() == null ? "it ended" : Failures.rootMessage(ended.cause()), reopenAfter);
      timers.startSingleTimer(OpenAgain.INSTANCE, reopenAfter);
    } else if (step == OpenAgain.INSTANCE) {
      open();
    }
  }

  void close() {
    stopped.set(true);
    if (open != null) {
      ContainerOperations.closeQuietly(open);
    }
  }
}
