package io.dcloud.gateway.common;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class GatewaySettingsTest {
  private static GatewaySettings with(String settings) {
    return GatewaySettings.fromConfig(ConfigFactory.parseString(settings).withFallback(ConfigFactory.load()));
  }

  @Test
  void aCreatesAnswerMarginIsAtMostHalfTheAskTimeoutAndNeverNegative() {
    assertThat(with("dcloud.ask-timeout = 10s").createAnswerMargin()).isEqualTo(Duration.ofSeconds(1));
    assertThat(with("dcloud.ask-timeout = 3s, dcloud.http.create-answer-margin = 10s").createAnswerMargin())
        .isEqualTo(Duration.ofMillis(1500));
    assertThatThrownBy(() -> with("dcloud.http.create-answer-margin = -1s"))
        .hasMessageContaining("dcloud.http.create-answer-margin must not be negative");
  }
}
