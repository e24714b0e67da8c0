package io.dcloud.broker;

import io.dcloud.ask.Asks;
import io.dcloud.device.DeviceRegistry;
import io.dcloud.device.DeviceSecrets;
import io.dcloud.device.RegistryChanged;
import io.dcloud.device.RegistryView;
import java.time.Duration;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.pekko.actor.NoSerializationVerificationNeeded;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.actor.typed.pubsub.Topic;
import org.eclipse.paho.client.mqttv3.MqttException;

/**
 * Keeps the broker's accounts equal to what the device registry says (a singleton on the control
 * nodes). It fetches the registry's view after each {@link RegistryChanged} (and every
 * {@code access.refresh-interval}, as notices may be lost), computes the accounts
 * ({@link BrokerAccounts#from}) and applies the difference to what it last applied. After starting
 * and after every reconnect it syncs in full: what the broker holds is read back, because it may
 * have changed while DCloud was away. A failed apply is retried with backoff, in full; broker
 * errors never stop the actor. One apply at a time; views that arrive meanwhile wait (the newest wins).
 */
public final class BrokerAccess extends AbstractBehavior<BrokerAccess.Command> {

  /** Only its own notices and answers, never sent between nodes (they carry connections). */
  public sealed interface Command extends NoSerializationVerificationNeeded {}

  private record Changed(RegistryChanged change) implements Command {}

  private record Refresh() implements Command {}

  private record ViewArrived(RegistryView view) implements Command {}

  private record ViewFailed(Throwable cause) implements Command {}

  /** The admin connection (re)connected and subscribed to the dynamic-security responses. */
  private record Connected(MqttConnection connection, DynamicSecurity dynsec) implements Command {}

  private record Applied(BrokerAccounts accounts, boolean full, AccessSync.Outcome outcome) implements Command {}

  private record ApplyFailed(long version, Throwable cause) implements Command {}

  private record Retry() implements Command {}

  private static final Object REFRESH = "refresh";
  private static final Object RETRY = "retry";
  private static final int LOGGED_CHANGES = 20;

  private final BrokerSettings settings;
  private final DeviceSecrets secrets;
  private final ActorRef<DeviceRegistry.Command> registry;
  private final TimerScheduler<Command> timers;
  /** One connection for the actor's life; its dynamic-security client is made on its first connect (Paho's thread). */
  private final MqttConnection connection;
  private final AtomicReference<DynamicSecurity> dynsec = new AtomicReference<>();
  private AccessSync sync;
  private RegistryView latest;
  /** What the broker holds, as far as DCloud knows; null: sync in full next. */
  private BrokerAccounts applied;
  private boolean applying;
  private boolean backingOff;
  private Duration backoff;

  public static Behavior<Command> create(
      BrokerSettings settings,
      DeviceSecrets secrets,
      ActorRef<DeviceRegistry.Command> registry,
      ActorRef<Topic.Command<RegistryChanged>> changes) {
    return Behaviors.setup(context -> Behaviors.withTimers(timers -> {
      changes.tell(Topic.subscribe(context.messageAdapter(RegistryChanged.class, Changed::new)));
      return new BrokerAccess(context, timers, settings, secrets, registry);
    }));
  }

  private BrokerAccess(
      ActorContext<Command> context,
      TimerScheduler<Command> timers,
      BrokerSettings settings,
      DeviceSecrets secrets,
      ActorRef<DeviceRegistry.Command> registry) throws MqttException {
    super(context);
    this.settings = settings;
    this.secrets = secrets;
    this.registry = registry;
    this.timers = timers;
    this.backoff = settings.access().retryMinBackoff();
    ActorRef<Command> self = context.getSelf();
    this.connection = MqttConnection.open(settings, "dcloud-access", mqtt -> {
      DynamicSecurity admin = dynsec.updateAndGet(existing -> existing != null ? existing : DynamicSecurity.over(mqtt, settings));
      admin.subscribe().whenComplete((subscribed, failure) -> {
        if (failure == null) {
          self.tell(new Connected(mqtt, admin));
        } else {
          context.getLog().warn("broker access cannot subscribe to the dynamic-security responses: {}", failure.getMessage());
        }
      });
    });
    timers.startTimerWithFixedDelay(REFRESH, new Refresh(), settings.access().refreshInterval());
    askView();
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(Changed.class, this::onChanged)
        .onMessage(Refresh.class, refresh -> askView())
        .onMessage(ViewArrived.class, this::onView)
        .onMessage(ViewFailed.class, this::onViewFailed)
        .onMessage(Connected.class, this::onConnected)
        .onMessage(Applied.class, this::onApplied)
        .onMessage(ApplyFailed.class, this::onApplyFailed)
        .onMessage(Retry.class, retry -> {
          backingOff = false;
          return applyIfDue();
        })
        .onSignal(PostStop.class, stop -> {
          connection.close();
          return this;
        })
        .build();
  }

  private Behavior<Command> onChanged(Changed changed) {
    if (latest == null || changed.change().version() > latest.version()) {
      return askView();
    }
    return this;
  }

  private Behavior<Command> askView() {
    Asks.<DeviceRegistry.Command, RegistryView, Command>ask(getContext(), registry, settings.requestTimeout(), DeviceRegistry.GetView::new,
        (view, failure) -> view != null ? new ViewArrived(view) : new ViewFailed(failure));
    return this;
  }

  private Behavior<Command> onView(ViewArrived arrived) {
    if (latest == null || arrived.view().version() >= latest.version()) {
      latest = arrived.view();
    }
    return applyIfDue();
  }

  private Behavior<Command> onViewFailed(ViewFailed failed) {
    // The next change notice or refresh asks again.
    getContext().getLog().warn("broker access could not get the device registry's view: {}", failed.cause().getMessage());
    return this;
  }

  private Behavior<Command> onConnected(Connected connected) {
    sync = new AccessSync(connected.connection(), connected.dynsec(), settings);
    applied = null; // the broker may have changed while this node was away from it
    getContext().getLog().info("broker access connected to {}; syncing the broker's accounts in full", settings.url());
    return applyIfDue();
  }

  private Behavior<Command> applyIfDue() {
    // While the connection is down, its reconnect (Connected) syncs: a sync now could only fail.
    if (applying || backingOff || sync == null || latest == null || !connection.connected()) {
      return this;
    }
    if (applied != null && applied.version() == latest.version()) {
      return this;
    }
    BrokerAccounts desired = BrokerAccounts.from(latest, secrets);
    boolean full = applied == null;
    CompletionStage<AccessSync.Outcome> outcome = full ? sync.full(desired) : sync.incremental(applied, desired);
    applying = true;
    Asks.pipeToSelf(getContext(), outcome, (done, failure) ->
        failure == null ? new Applied(desired, full, done) : new ApplyFailed(desired.version(), failure));
    return this;
  }

  private Behavior<Command> onApplied(Applied done) {
    applying = false;
    applied = done.accounts();
    backoff = settings.access().retryMinBackoff();
    var commands = done.outcome().commands();
    if (!commands.isEmpty() || !done.outcome().documents().isEmpty() || done.full()) {
      getContext().getLog().info("broker accounts at registry version {} ({}{} changes{}{}){}",
          done.accounts().version(), done.full() ? "full sync, " : "", commands.size(),
          commands.isEmpty() ? "" : ": " + AccountChanges.describe(commands.subList(0, Math.min(LOGGED_CHANGES, commands.size()))),
          commands.size() > LOGGED_CHANGES ? ", ..." : "",
          done.outcome().documents().isEmpty() ? "" : "; bindings documents published for " + done.outcome().documents());
    }
    if (getContext().getLog().isDebugEnabled() && commands.size() > LOGGED_CHANGES) {
      getContext().getLog().debug("all broker changes at version {}: {}", done.accounts().version(), AccountChanges.describe(commands));
    }
    return applyIfDue();
  }

  private Behavior<Command> onApplyFailed(ApplyFailed failed) {
    applying = false;
    applied = null; // part of it may have been applied: read the broker back next time
    backingOff = true;
    Throwable cause = failed.cause() instanceof CompletionException && failed.cause().getCause() != null
        ? failed.cause().getCause() : failed.cause();
    if (cause instanceof AccessSync.RoleGranted granted) {
      // No timer: the reconnect syncs in full, or the sync starts now if the reconnect came first.
      backingOff = false;
      getContext().getLog().info("broker accounts at registry version {} not all applied yet: {}; syncing again in full "
          + "once reconnected", failed.version(), granted.getMessage());
      return applyIfDue();
    }
    getContext().getLog().warn("broker accounts at registry version {} not applied ({}); retrying in full in {} ms",
        failed.version(), cause.toString(), backoff.toMillis());
    timers.startSingleTimer(RETRY, new Retry(), backoff);
    Duration doubled = backoff.multipliedBy(2);
    backoff = doubled.compareTo(settings.access().retryMaxBackoff()) > 0 ? settings.access().retryMaxBackoff() : doubled;
    return this;
  }
}
