package io.dcloud.app;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.turbo.TurboFilter;
import ch.qos.logback.core.spi.FilterReply;
import org.slf4j.Marker;

/**
 * Drops Pekko's "Stash buffer is full, dropping message [..]" warning, logged once per dropped
 * message: in an overload that is hundreds of thousands of lines. It cannot be turned down by
 * level, because Pekko logs it under the behavior's own logger (e.g. io.dcloud.scheduler.Scheduler)
 * with that actor's other lines; io.dcloud.journal.OverloadReport logs the drops instead, one
 * line per period with counts.
 */
public final class StashOverflowLogFilter extends TurboFilter {
  private static final String PEKKO_STASH_OVERFLOW = "Stash buffer is full, dropping message";

  @Override
  public FilterReply decide(Marker marker, Logger logger, Level level, String format, Object[] params, Throwable t) {
    return level == Level.WARN && format != null && format.startsWith(PEKKO_STASH_OVERFLOW)
        ? FilterReply.DENY
        : FilterReply.NEUTRAL;
  }
}
