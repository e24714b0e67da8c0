package io.dcloud.app;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.turbo.TurboFilter;
import ch.qos.logback.core.spi.FilterReply;
import org.slf4j.Marker;

/**
 * Drops warnings Pekko logs for what is normal in DCloud, which would teach operators to ignore
 * WARN lines:
 *
 * <ul>
 *   <li>"Stash buffer is full, dropping message [..]", once per dropped message: in an overload that
 *       is hundreds of thousands of lines. It cannot be turned down by level, because Pekko logs it
 *       under the behavior's own logger (e.g. io.dcloud.scheduler.Scheduler) with that actor's other
 *       lines; io.dcloud.journal.OverloadReport logs the drops instead, one line per period with
 *       counts.
 *   <li>"Stream already completed before remote side materialized", from the sending end of a
 *       stream reference whose stream ended before its receiver subscribed — every short log
 *       ({@code GET /environments/{id}/logs?tail=5}) or small file read from another node. The
 *       completion is delivered all the same (the message's "failing now" notwithstanding); its
 *       twin for a stream that failed early stays.
 * </ul>
 */
public final class BenignPekkoWarnings extends TurboFilter {
  private static final String STASH_OVERFLOW = "Stash buffer is full, dropping message";
  private static final String STREAM_REF_SENDER = "org.apache.pekko.stream.impl.streamref.SinkRefStageImpl";
  private static final String COMPLETED_BEFORE_SUBSCRIBED = "Stream already completed before remote side materialized";

  @Override
  public FilterReply decide(Marker marker, Logger logger, Level level, String format, Object[] params, Throwable t) {
    if (level != Level.WARN || format == null) {
      return FilterReply.NEUTRAL;
    }
    boolean benign = format.startsWith(STASH_OVERFLOW)
        || logger.getName().equals(STREAM_REF_SENDER) && format.contains(COMPLETED_BEFORE_SUBSCRIBED);
    return benign ? FilterReply.DENY : FilterReply.NEUTRAL;
  }
}
