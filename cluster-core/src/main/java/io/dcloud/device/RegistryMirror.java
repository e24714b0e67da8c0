package io.dcloud.device;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.apache.pekko.actor.NoSerializationVerificationNeeded;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.pubsub.Topic;

/**
 * A node's copy of the {@link RegistryView}, for those who read it on every message (the readings
 * ingest validates each reading against it): fetched again after each {@link RegistryChanged}
 * newer than the copy, and every {@code refreshInterval} in case a notice was lost (the topic
 * delivers at most once). Readers call {@link #get} from any thread.
 */
public final class RegistryMirror implements Supplier<RegistryView> {
  private final AtomicReference<RegistryView> latest = new AtomicReference<>(RegistryView.EMPTY);

  @Override
  public RegistryView get() {
    return latest.get();
  }

  /** What the follower actor receives (its own notices and answers only). */
  public sealed interface Message extends NoSerializationVerificationNeeded {}

  private record Changed(long version) implements Message {}

  private record Fetched(RegistryView view) implements Message {}

  private enum Refresh implements Message { INSTANCE }

  /** The actor that keeps this mirror fresh (spawn it once per node that reads the mirror). */
  public Behavior<Message> follower(ActorRef<DeviceRegistry.Command> registry,
      ActorRef<Topic.Command<RegistryChanged>> changes, Duration refreshInterval) {
    return Behaviors.<Message>setup(context -> Behaviors.withTimers(timers -> {
      changes.tell(Topic.subscribe(context.messageAdapter(RegistryChanged.class, changed -> new Changed(changed.version()))));
      ActorRef<RegistryView> fetched = context.messageAdapter(RegistryView.class, Fetched::new);
      timers.startTimerWithFixedDelay(Refresh.INSTANCE, refreshInterval);
      registry.tell(new DeviceRegistry.GetView(fetched));
      return Behaviors.receive(Message.class)
          .onMessage(Changed.class, changed -> {
            if (changed.version() > latest.get().version()) {
              registry.tell(new DeviceRegistry.GetView(fetched));
            }
            return Behaviors.same();
          })
          .onMessageEquals(Refresh.INSTANCE, () -> {
            registry.tell(new DeviceRegistry.GetView(fetched));
            return Behaviors.same();
          })
          .onMessage(Fetched.class, answer -> {
            // Answers may cross: never go back to an older view.
            latest.accumulateAndGet(answer.view(), (mine, theirs) -> theirs.version() >= mine.version() ? theirs : mine);
            return Behaviors.same();
          })
          .build();
    }));
  }
}
