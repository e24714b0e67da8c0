package io.dcloud.node;

import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;
import org.apache.pekko.actor.typed.Scheduler;
import scala.concurrent.ExecutionContext;

/**
 * What is done for a member's removal, done more than once. A message sent through sharding to an
 * entity that lived on the removed member is lost until its shard has a new home, and the shard
 * coordinator can take seconds to give one (its state is written to a majority of members, and is
 * retried each {@code updating-state-timeout}, 5 s, when that fails): so the act runs {@code first}
 * after the removal, then again at 2, 4 and 8 times that, as the job entities send their tasks in
 * flight again. Each act must be harmless to repeat.
 */
public final class AfterRemoval {
  private static final List<Integer> TIMES = List.of(1, 2, 4, 8);

  private AfterRemoval() {}

  /** A listener for {@code whenMembersRemoved} that runs {@code act} with the removed member's address at those times. */
  public static Consumer<String> repeated(Scheduler scheduler, ExecutionContext executor, Duration first, Consumer<String> act) {
    return address -> TIMES.forEach(times ->
        scheduler.scheduleOnce(first.multipliedBy(times), () -> act.accept(address), executor));
  }
}
