package io.dcloud.broker;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The ingest's settings come from dcloud.broker and dcloud.devices.readings. */
class IngestSettingsTest {

  @Test
  void theDefaultsAreReadAndTheSharedTopicsNamed() {
    Config config = ConfigFactory.parseString("dcloud.devices.readings.max-payload-bytes = 8KiB")
        .withFallback(ConfigFactory.load());
    IngestSettings settings = IngestSettings.fromConfig(BrokerSettings.fromConfig(config.getConfig("dcloud.broker")), config);

    assertThat(settings).isEqualTo(new IngestSettings("dcloud-ingest", 8192, Duration.ofMinutes(5), 4, Duration.ofMillis(200)));
    assertThat(settings.shared("dcloud/devices/+/readings")).isEqualTo("$share/dcloud-ingest/dcloud/devices/+/readings");
  }
}
