package io.dcloud.gateway.environment;

import io.dcloud.environment.EnvironmentStatus;
import io.dcloud.environment.EnvironmentUpdate;
import io.dcloud.gateway.common.CreateAdmission;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.pubsub.Topic;

/**
 * The creates this gateway works on, each counted by its {@link CreateAdmission} from admission
 * until the scheduler has answered it, not just until its 202: most of a create's work (the
 * placement, the node's reservation, their journal writes, every read side's update) comes after
 * the 202, and a limit that stopped counting there admitted more than the cluster could place
 * (BENCHMARKS §10, overload at 1,000/s). A create is settled, and its slot freed, when
 * <ul>
 *   <li>its environment's first status past REQUESTED (QUEUED, PLACED, FAILED, ...) is heard on the
 *       updates topic;
 *   <li>its 202 already shows such a status (a retried create of an environment placed earlier);
 *   <li>it fails before its 202 (nothing was created);
 *   <li>or {@code settleWithin} passes after it was sent without any of these (the topic delivers at
 *       most once): then it counts as slow.
 * </ul>
 * How long each took, admission to settled, is what the limit follows.
 */
final class CreatesInFlight {
  private final ActorSystem<?> system;
  private final CreateAdmission admission;
  private final Duration settleWithin;
  /** Creates sent to their entity and not yet settled, by environment id. */
  private final Map<String, Slot> sent = new ConcurrentHashMap<>();
  /** When the last create was refused (System.nanoTime), or null before the first refusal. */
  private volatile Long lastRefusedAt;

  CreatesInFlight(
      ActorSystem<?> system, ActorRef<Topic.Command<EnvironmentUpdate>> updates, CreateAdmission admission,
      Duration settleWithin) {
    this.system = system;
    this.admission = admission;
    this.settleWithin = settleWithin;
    UpdatesFollower.follow(system, updates, "creates-in-flight", this::heard);
  }

  /** A slot for one more create, or null when the limit is reached. */
  Slot tryAdmit() {
    long now = System.nanoTime();
    if (admission.tryAdmit()) {
      return new Slot(now);
    }
    lastRefusedAt = now;
    return null;
  }

  /** Whether a create was refused less than {@code period} ago. */
  boolean refusedWithin(Duration period) {
    Long refusedAt = lastRefusedAt;
    return refusedAt != null && System.nanoTime() - refusedAt < period.toNanos();
  }

  int currentLimit() {
    return admission.currentLimit();
  }

  int inFlight() {
    return admission.inFlight();
  }

  private void heard(EnvironmentUpdate update) {
    if (update.kind() == EnvironmentUpdate.Kind.STATUS && !EnvironmentStatus.REQUESTED.name().equals(update.status())) {
      Slot slot = sent.remove(update.environmentId());
      if (slot != null) {
        slot.release();
      }
    }
  }

  /** One admitted create's place in the count, freed once (whichever way comes first). */
  final class Slot {
    private final long admittedAt;
    private final AtomicBoolean released = new AtomicBoolean();
    /** Set once the create is sent ({@link #sending}). */
    private volatile String environmentId;

    private Slot(long admittedAt) {
      this.admittedAt = admittedAt;
    }

    /**
     * The create is about to be sent to the entity of {@code environmentId}: from now on the
     * scheduler's answer settles it. Registered before the create is sent, as that answer can reach
     * this gateway before the entity's reply does.
     */
    void sending(String environmentId) {
      this.environmentId = environmentId;
      Slot earlier = sent.put(environmentId, this);
      if (earlier != null) {
        // The same Idempotency-Key twice at once: one answer settles both.
        earlier.release();
      }
      system.scheduler().scheduleOnce(settleWithin, () -> {
        if (sent.remove(environmentId, this) && released.compareAndSet(false, true)) {
          // No answer at all: as slow as it gets, whatever settleWithin is.
          admission.answered(Long.MAX_VALUE);
        }
      }, system.executionContext());
    }

    /** The entity accepted the create (202) and its environment is at {@code status}. */
    void accepted(EnvironmentStatus status) {
      if (status != EnvironmentStatus.REQUESTED && sent.remove(environmentId, this)) {
        release();
      }
    }

    /** The create failed before its 202 (sent or not): nothing more will come of it. */
    void failed() {
      String id = environmentId;
      if (id != null) {
        sent.remove(id, this);
      }
      release();
    }

    private void release() {
      if (released.compareAndSet(false, true)) {
        admission.answered(System.nanoTime() - admittedAt);
      }
    }
  }
}
