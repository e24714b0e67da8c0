package io.dcloud.cli.common;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import org.junit.jupiter.api.Test;

class LogOptionsTest {
  private static final Instant NOW = Instant.parse("2026-12-07T10:00:00Z");

  @Test
  void sinceIsATimeBackOrAnInstant() {
    assertThat(LogOptions.since("10m", NOW)).isEqualTo(Instant.parse("2026-12-07T09:50:00Z"));
    assertThat(LogOptions.since("90", NOW)).as("seconds").isEqualTo(Instant.parse("2026-12-07T09:58:30Z"));
    assertThat(LogOptions.since("2026-12-06T08:00:00Z", NOW)).isEqualTo(Instant.parse("2026-12-06T08:00:00Z"));
    assertThatThrownBy(() -> LogOptions.since("yesterday", NOW))
        .isInstanceOfSatisfying(CliException.class, e -> assertThat(e.exitCode()).isEqualTo(ExitCodes.USAGE))
        .hasMessageContaining("--since").hasMessageContaining("yesterday");
  }

  @Test
  void theQueryCarriesOnlyWhatWasGiven() {
    LogOptions options = new LogOptions();
    assertThat(options.query()).isEqualTo("?follow=false");
    options.since = "2026-12-06T08:00:00Z";
    options.timestamps = true;
    assertThat(options.query()).contains("since=2026-12-06T08%3A00%3A00Z", "timestamps=true");
  }
}
