package io.dcloud.quota;

import io.dcloud.ask.Asks;
import io.dcloud.environment.EnvironmentDirectory;
import io.dcloud.environment.OwnerUsage;
import io.dcloud.identity.Quota;
import io.dcloud.resources.Resources;
import io.dcloud.serialization.CborSerializable;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.StashBuffer;

/**
 * Admits creates and starts against their owner's quota, one at a time (a cluster singleton), so
 * no two concurrent requests pass a quota together. What an owner holds comes from the local
 * environment directory (folded from the journal, so it survives any failover); what this ledger
 * admitted a moment ago and the directory has not counted yet is added on top, until the directory
 * counts it (or {@code pendingTimeout} passes: the create never happened).
 */
public final class QuotaLedger {
  private QuotaLedger() {}

  public sealed interface Command extends CborSerializable {}

  /**
   * {@code created}: a new environment (counts toward every limit); otherwise a start of an
   * existing one (its count and storage are held already: only CPU, RAM and GPUs).
   */
  public record Admit(
      String owner, String environmentId, Resources resources, boolean created, Quota quota, ActorRef<Decision> replyTo)
      implements Command {}

  /**
   * Would creates of {@code environments} environments holding {@code resources} in all pass the
   * quota now (a dry run's one, a service's replicas)? Decided like {@link Admit} of new
   * environments, in turn with the admissions. A dry run's ({@code hold} null) notes nothing; a
   * service's, once passed, holds what its replicas still lack (see {@link ServiceHold}).
   * {@code environments}: null from an earlier version, which checked one.
   */
  public record Check(
      String owner, Resources resources, Integer environments, Quota quota, ServiceHold hold, ActorRef<Decision> replyTo)
      implements Command {
    /** One environment, held by nothing (a dry run). */
    public Check(String owner, Resources resources, Quota quota, ActorRef<Decision> replyTo) {
      this(owner, resources, null, quota, null, replyTo);
    }

    /** Held by nothing (as an earlier version checked a service's replicas). */
    public Check(String owner, Resources resources, Integer environments, Quota quota, ActorRef<Decision> replyTo) {
      this(owner, resources, environments, quota, null, replyTo);
    }

    int count() {
      return environments == null ? 1 : environments;
    }
  }

  /**
   * A service of {@code replicas} replicas each holding {@code each}: until the environment directory
   * counts that many of them (or the pending timeout passes: they were never made), the ledger
   * counts the ones it lacks as held, so two creates or scales at once cannot both pass a quota
   * that has room for one. A later hold of the same service replaces it.
   */
  public record ServiceHold(String service, int replicas, Resources each) implements CborSerializable {}

  /**
   * The service was deleted: its hold goes at once, not at the pending timeout (its replicas never
   * come, so the directory would never count them).
   */
  public record ReleaseService(String service) implements Command {}

  /** {@code excess} is empty when admitted; {@code unavailable} when the usage could not be read. */
  public record Decision(boolean admitted, OwnerUsage usage, List<Excess> excess, boolean unavailable)
      implements CborSerializable {}

  /** One resource the request would take past its limit, in the quota's units (milli-CPUs, bytes, counts). */
  public record Excess(String resource, long used, long requested, long limit) implements CborSerializable {}

  /**
   * {@code noted}: an admission held until the directory counts it; false for a {@link Check}.
   * {@code environments}: how many a create asks for.
   */
  private record UsageRead(
      Admit admit, boolean noted, int environments, ServiceHold hold, EnvironmentDirectory.Usage usage, Throwable failure)
      implements Command, org.apache.pekko.actor.NoSerializationVerificationNeeded {}

  private record Pending(String owner, OwnerUsage holds, boolean created, Instant at) {}

  private record PendingService(String owner, ServiceHold hold, Instant at) {
    /** What its replicas lack, as held: all but what the directory counts already. */
    OwnerUsage lacking(int counted) {
      int missing = Math.max(0, hold.replicas() - counted);
      Resources each = hold.each();
      return new OwnerUsage(each.milliCpus() * missing, each.memoryBytes() * missing, each.gpus() * missing, missing,
          each.storageBytes() * missing);
    }
  }

  public static Behavior<Command> create(
      ActorRef<EnvironmentDirectory.Command> directory, Duration pendingTimeout, Duration askTimeout, Clock clock) {
    return Behaviors.withStash(10_000, stash -> Behaviors.setup(context ->
        new QuotaLedger.Running(context, stash, directory, pendingTimeout, askTimeout, clock).idle()));
  }

  private static final class Running {
    private final ActorContext<Command> context;
    private final StashBuffer<Command> stash;
    private final ActorRef<EnvironmentDirectory.Command> directory;
    private final Duration pendingTimeout;
    private final Duration askTimeout;
    private final Clock clock;
    private final Map<String, Pending> pending = new HashMap<>();
    /** By service name. */
    private final Map<String, PendingService> pendingServices = new HashMap<>();

    Running(ActorContext<Command> context, StashBuffer<Command> stash, ActorRef<EnvironmentDirectory.Command> directory,
        Duration pendingTimeout, Duration askTimeout, Clock clock) {
      this.context = context;
      this.stash = stash;
      this.directory = directory;
      this.pendingTimeout = pendingTimeout;
      this.askTimeout = askTimeout;
      this.clock = clock;
    }

    Behavior<Command> idle() {
      return Behaviors.receive(Command.class)
          .onMessage(Admit.class, admit -> readUsage(admit, true, 1, null))
          .onMessage(Check.class, check -> readUsage(
              new Admit(check.owner(), null, check.resources(), true, check.quota(), check.replyTo()), false, check.count(),
              check.hold()))
          .onMessage(UsageRead.class, read -> Behaviors.same())
          .onMessage(ReleaseService.class, this::release)
          .build();
    }

    /** Taken between admissions too: a decision in flight reads the holds as they are when it is made. */
    private Behavior<Command> release(ReleaseService release) {
      if (pendingServices.remove(release.service()) != null) {
        context.getLog().info("Quota hold of deleted service {} released", release.service());
      }
      return Behaviors.same();
    }

    /** One admission at a time: the next waits until this one is decided and recorded. */
    private Behavior<Command> readUsage(Admit admit, boolean noted, int environments, ServiceHold hold) {
      expire();
      Set<String> creates = recent(admit.owner(), true);
      Set<String> starts = recent(admit.owner(), false);
      Set<String> services = pendingServices.entrySet().stream()
          .filter(e -> e.getValue().owner().equals(admit.owner()))
          .map(Map.Entry::getKey)
          .collect(Collectors.toSet());
      Asks.<EnvironmentDirectory.Command, EnvironmentDirectory.Usage, Command>ask(context, directory, askTimeout,
          replyTo -> new EnvironmentDirectory.GetUsage(admit.owner(), creates, starts, services, replyTo),
          (usage, failure) -> new UsageRead(admit, noted, environments, hold, usage, failure));
      return Behaviors.receive(Command.class)
          .onMessage(UsageRead.class, this::decide)
          .onMessage(ReleaseService.class, this::release)
          .onMessage(Admit.class, next -> {
            stash.stash(next);
            return Behaviors.same();
          })
          .onMessage(Check.class, next -> {
            stash.stash(next);
            return Behaviors.same();
          })
          .build();
    }

    private Set<String> recent(String owner, boolean created) {
      return pending.entrySet().stream()
          .filter(e -> e.getValue().owner().equals(owner) && e.getValue().created() == created)
          .map(Map.Entry::getKey)
          .collect(Collectors.toSet());
    }

    private Behavior<Command> decide(UsageRead read) {
      Admit admit = read.admit();
      if (read.failure() != null) {
        context.getLog().warn("Quota of {} not checked: the environment directory did not answer ({})", admit.owner(),
            read.failure().getMessage());
        admit.replyTo().tell(new Decision(false, OwnerUsage.NONE, List.of(), true));
        return stash.unstashAll(idle());
      }
      read.usage().known().forEach(pending::remove);
      OwnerUsage used = read.usage().usage();
      for (Pending p : pending.values()) {
        if (p.owner().equals(admit.owner())) {
          used = used.plus(p.holds());
        }
      }
      for (Map.Entry<String, Integer> counted : read.usage().replicas().entrySet()) {
        PendingService held = pendingServices.get(counted.getKey());
        if (held == null) {
          continue;
        }
        if (counted.getValue() >= held.hold().replicas()) {
          pendingServices.remove(counted.getKey());
        } else {
          // The service checked now too: what it asks for is measured from the replicas its last hold set.
          used = used.plus(held.lacking(counted.getValue()));
        }
      }
      Resources r = admit.resources();
      OwnerUsage asked = admit.created()
          ? new OwnerUsage(r.milliCpus(), r.memoryBytes(), r.gpus(), read.environments(), r.storageBytes())
          : new OwnerUsage(r.milliCpus(), r.memoryBytes(), r.gpus(), 0, 0);
      List<Excess> excess = excess(used, asked, admit.quota());
      if (read.hold() != null) {
        if (excess.isEmpty()) {
          pendingServices.put(read.hold().service(), new PendingService(admit.owner(), read.hold(), clock.instant()));
        }
        context.getLog().info("Quota of {} {} service {} at {} replicas: {}", admit.owner(),
            excess.isEmpty() ? "holds" : "refuses", read.hold().service(), read.hold().replicas(),
            excess.isEmpty() ? "fits" : excess);
      } else if (!read.noted()) {
        // DEBUG: a form previewing as its user types asks this often.
        context.getLog().debug("Quota of {} checked for a dry run: {}", admit.owner(), excess.isEmpty() ? "fits" : excess);
      } else if (excess.isEmpty()) {
        pending.put(admit.environmentId(), new Pending(admit.owner(), asked, admit.created(), clock.instant()));
      } else {
        context.getLog().info("Quota of {} refuses environment {}: {}", admit.owner(), admit.environmentId(), excess);
      }
      admit.replyTo().tell(new Decision(excess.isEmpty(), used, excess, false));
      return stash.unstashAll(idle());
    }

    private void expire() {
      Instant oldest = clock.instant().minus(pendingTimeout);
      pending.values().removeIf(p -> p.at().isBefore(oldest));
      pendingServices.values().removeIf(p -> p.at().isBefore(oldest));
    }
  }

  static List<Excess> excess(OwnerUsage used, OwnerUsage asked, Quota quota) {
    List<Excess> over = new ArrayList<>();
    check(over, "cpu", used.milliCpus(), asked.milliCpus(), quota.milliCpus());
    check(over, "ram", used.memoryBytes(), asked.memoryBytes(), quota.memoryBytes());
    check(over, "gpu", used.gpus(), asked.gpus(), quota.gpus() == null ? null : quota.gpus().longValue());
    check(over, "environments", used.environments(), asked.environments(),
        quota.environments() == null ? null : quota.environments().longValue());
    check(over, "storage", used.storageBytes(), asked.storageBytes(), quota.storageBytes());
    return over;
  }

  private static void check(List<Excess> over, String resource, long used, long asked, Long limit) {
    if (limit != null && asked > 0 && used + asked > limit) {
      over.add(new Excess(resource, used, asked, limit));
    }
  }
}
