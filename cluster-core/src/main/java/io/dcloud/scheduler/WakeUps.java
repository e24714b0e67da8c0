package io.dcloud.scheduler;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * The scheduler's messages to itself ("decide the pending requests", "try the queue"). One that
 * arrives while the scheduler writes or recovers is stashed, and an overfull stash drops it: the
 * scheduler would then wait for a message that never comes. So each wake-up is sent once while it
 * is on its way, and {@link #resendLost} (on a timer) sends again any not handled within
 * {@code lostAfter}; a lost wake-up only delays the work it stands for.
 */
final class WakeUps {
  private final ActorRef<Scheduler.Command> self;
  private final Duration lostAfter;
  /** Wake-ups sent and not handled yet, with when they were last sent (System.nanoTime). */
  private final Map<Scheduler.Command, Long> inFlight = new HashMap<>();

  WakeUps(ActorRef<Scheduler.Command> self, Duration lostAfter) {
    this.self = self;
    this.lostAfter = lostAfter;
  }

  /** Sends the wake-up unless one is on its way. */
  void send(Scheduler.Command wakeUp) {
    if (!inFlight.containsKey(wakeUp)) {
      inFlight.put(wakeUp, System.nanoTime());
      self.tell(wakeUp);
    }
  }

  /** The wake-up is being handled: a later {@link #send} sends it again. */
  void arrived(Scheduler.Command wakeUp) {
    inFlight.remove(wakeUp);
  }

  /** Sends again each wake-up on its way for longer than lostAfter; returns how many. */
  int resendLost() {
    long now = System.nanoTime();
    int resent = 0;
    for (Map.Entry<Scheduler.Command, Long> wakeUp : inFlight.entrySet()) {
      if (now - wakeUp.getValue() > lostAfter.toNanos()) {
        wakeUp.setValue(now);
        self.tell(wakeUp.getKey());
        resent++;
      }
    }
    return resent;
  }
}
