package io.dcloud.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.SocketTimeoutException;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * A DCloud whose cluster has no MQTT broker ({@code dcloud.broker.enabled = off}): it comes up and
 * serves, opens no connection to the broker's address (a listener there is never called, and no
 * connection gauge exists), and refuses a device with a 503 that names the setting.
 */
@Tag("docker") @Tag("cassandra")
class BrokerOffIT {
  private static ServerSocket brokerAddress;
  private static OneNodeDCloud dcloud;

  @BeforeAll
  static void start() throws Exception {
    // Where the broker would be: anything DCloud tried to connect to would wait in its backlog.
    brokerAddress = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    dcloud = OneNodeDCloud.start("broker-off-it-node", Map.of(
        "dcloud.broker.enabled", false,
        "dcloud.broker.port", brokerAddress.getLocalPort()));
  }

  @AfterAll
  static void stop() throws Exception {
    Closing.inOrder(dcloud, brokerAddress);
  }

  @Test
  void noConnectionIsMadeAndDevicesAreRefusedNamingTheSetting() throws Exception {
    Api management = dcloud.managementApi();
    await().atMost(OneNodeDCloud.UP_WITHIN).untilAsserted(() ->
        assertThat(management.get("/ready").status()).isEqualTo(200));
    String scrape = management.get("/metrics").body();
    assertThat(scrape).contains("dcloud_nodes{state=\"UP\"}").doesNotContain("dcloud_broker_connected");

    Api.Response refused = dcloud.api().post("/api/v1/devices",
        "{\"id\": \"t-1\", \"type\": \"thermo\", \"location\": {\"site\": \"hq\"}}");
    assertThat(refused.status()).as(refused.body()).isEqualTo(503);
    assertThat(refused.json().path("detail").asText()).contains("dcloud.broker.enabled = off");
    assertThat(dcloud.api().get("/api/v1/devices").status()).isEqualTo(200);

    // Nothing waits in the backlog: accept gives up at once instead of taking a connection.
    brokerAddress.setSoTimeout(1);
    assertThatThrownBy(brokerAddress::accept).isInstanceOf(SocketTimeoutException.class);
  }
}
