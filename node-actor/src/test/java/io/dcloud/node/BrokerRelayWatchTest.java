package io.dcloud.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.typesafe.config.ConfigFactory;
import io.dcloud.deploy.RuntimeFailure;
import io.dcloud.deploy.ScriptedRuntime;
import io.dcloud.testing.LocalTestKit;
import java.time.Duration;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** When the relay asks the engine for networks: never with relay-port 0, and again after the engine failed to answer. */
class BrokerRelayWatchTest {

  private static final ActorTestKit testKit = LocalTestKit.create("BrokerRelayWatchTest");
  private static final String WATCH = "watchNetworkGateways";

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
  }

  @Test
  void theSettingsComeFromTheBrokerSection() {
    BrokerRelay.Settings settings = BrokerRelay.Settings.fromConfig(ConfigFactory.parseString(
        "dcloud.broker { host = broker.example, port = 8883, relay-port = 1884 }").withFallback(ConfigFactory.load()));

    assertThat(settings.brokerHost()).isEqualTo("broker.example");
    assertThat(settings.brokerPort()).isEqualTo(8883);
    assertThat(settings.relayPort()).isEqualTo(1884);
    assertThat(settings.enabled()).isTrue();
  }

  @Test
  void relayPortZeroWatchesNoNetworks() {
    ScriptedRuntime runtime = new ScriptedRuntime();

    try (BrokerRelay relay = BrokerRelay.start(testKit.system(), "off-node", settings(0), runtime)) {
      // Decided before start returns: nothing is left running that could watch later.
      assertThat(runtime.calls(WATCH)).isEmpty();
    }
  }

  @Test
  void anEngineThatCannotListNetworksIsAskedAgain() {
    ScriptedRuntime runtime = new ScriptedRuntime();
    runtime.fail(WATCH, new RuntimeFailure("the Docker Engine is down"));

    try (BrokerRelay relay = BrokerRelay.start(testKit.system(), "retry-node", settings(1883), runtime)) {
      await().atMost(Duration.ofSeconds(10)).until(() -> runtime.calls(WATCH).size() >= 1);
      runtime.heal(WATCH);

      await().atMost(Duration.ofSeconds(10)).until(() -> runtime.calls(WATCH).size() >= 2);
    }
  }

  private static BrokerRelay.Settings settings(int relayPort) {
    return new BrokerRelay.Settings("127.0.0.1", 1883, relayPort, Duration.ofSeconds(1), Duration.ofMillis(100));
  }
}
