package io.dcloud.broker;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.ConfigFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BrokerSettingsTest {

  @Test
  void theDefaultsPointAtTheDevBrokerAndThePublicUrlFollowsHostAndPort() {
    BrokerSettings settings = BrokerSettings.fromConfig(ConfigFactory.load().getConfig("dcloud.broker"));

    assertThat(settings.url()).isEqualTo("tcp://127.0.0.1:1883");
    assertThat(settings.publicUrl()).isEqualTo("tcp://127.0.0.1:1883");
    assertThat(settings.adminUsername()).isEqualTo("dcloud-admin");
    assertThat(settings.access().batchSize()).isPositive();
  }

  @Test
  void theAdminPasswordComesFromItsFileWhenOneIsNamedAndIsNeverPrinted(@TempDir Path dir) throws Exception {
    Path file = Files.writeString(dir.resolve("admin.password"), "s3cret-from-file\n");
    BrokerSettings settings = BrokerSettings.fromConfig(ConfigFactory.parseMap(Map.of(
            "dcloud.broker.admin-password", "inline",
            "dcloud.broker.admin-password-file", file.toString(),
            "dcloud.broker.public-url", "tcp://broker.example:8883"))
        .withFallback(ConfigFactory.load()).getConfig("dcloud.broker"));

    assertThat(settings.adminPassword()).isEqualTo("s3cret-from-file");
    assertThat(settings.publicUrl()).isEqualTo("tcp://broker.example:8883");
    assertThat(settings.toString()).doesNotContain("s3cret");
  }
}
