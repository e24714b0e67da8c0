package io.dcloud.gateway.event;

import io.dcloud.identity.Caller;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.apache.pekko.http.javadsl.model.sse.ServerSentEvent;

/**
 * The recent events of one gateway, bounded by age and count, with ids {@code <epoch>.<n>}: n
 * increases by one per event, and the epoch is this gateway run's own, so an id from another
 * gateway or an earlier run is known not to be resumable here (not mistaken for a position).
 * An event's data is rendered when a client reads it, not kept rendered: the log holds thousands of
 * events for minutes, and what it keeps of each (the environment's state, which its directory made
 * anyway) is a fraction of its JSON — each kept byte is copied by the young collections until it is
 * old. Not thread-safe: its actor owns it.
 */
final class EventLog {

  /** One event, who may see it, and how its data is rendered. */
  record Entry(long number, Instant at, Predicate<Caller> audience, String type, Supplier<String> data, String epoch) {
    /** The event as clients receive it, rendered now. */
    ServerSentEvent event() {
      return ServerSentEvent.create(data.get(), type, epoch + "." + number);
    }
  }

  private final String epoch = Long.toString(ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE, 36);
  private final Duration retention;
  private final int maxEntries;
  private final Deque<Entry> entries = new ArrayDeque<>();
  private long last;
  /** The highest number no longer kept: a client that saw it or later misses nothing. */
  private long forgotten;

  EventLog(Duration retention, int maxEntries) {
    this.retention = retention;
    this.maxEntries = maxEntries;
  }

  /** Appends an event of {@code type} whose data {@code data} renders, numbered next, and answers it. */
  Entry append(String type, Supplier<String> data, Predicate<Caller> audience, Instant now) {
    last++;
    Entry entry = new Entry(last, now, audience, type, data, epoch);
    entries.addLast(entry);
    prune(now);
    return entry;
  }

  /** Forgets the events past the retention or beyond the count. */
  void prune(Instant now) {
    Instant oldest = now.minus(retention);
    while (!entries.isEmpty() && (entries.size() > maxEntries || entries.peekFirst().at().isBefore(oldest))) {
      forgotten = entries.removeFirst().number();
    }
  }

  /**
   * The events after {@code lastEventId} that the client missed, or empty when this log cannot say:
   * the id is not of this run of this gateway, malformed, ahead of it, or older than what it keeps.
   */
  Optional<List<Entry>> after(String lastEventId) {
    long seen = number(lastEventId);
    if (seen < forgotten || seen > last) {
      return Optional.empty();
    }
    return Optional.of(entries.stream().filter(entry -> entry.number() > seen).toList());
  }

  /** The number of one of this log's ids; -1 for any other id. */
  long number(String eventId) {
    int dot = eventId.lastIndexOf('.');
    if (dot < 0 || !eventId.substring(0, dot).equals(epoch)) {
      return -1;
    }
    try {
      return Long.parseLong(eventId.substring(dot + 1));
    } catch (NumberFormatException malformed) {
      return -1;
    }
  }

  /** The number of the latest event (0 before the first). */
  long last() {
    return last;
  }

  int size() {
    return entries.size();
  }
}
