package io.dcloud.gateway.common;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ClientAddressTest {
  private final ClientAddress behindProxy = new ClientAddress(List.of("10.0.0.1", "10.0.0.2"));

  @Test
  void aClientTalkingStraightToTheGatewayIsItsPeerWhateverItWrites() {
    assertThat(behindProxy.of("203.0.113.9", Optional.of("198.51.100.1"))).isEqualTo("203.0.113.9");
    assertThat(new ClientAddress(List.of()).of("10.0.0.1", Optional.of("198.51.100.1"))).isEqualTo("10.0.0.1");
  }

  @Test
  void behindTrustedProxiesTheClientIsTheNearestUntrustedHop() {
    // The client may prepend anything: only what the trusted proxies appended counts.
    assertThat(behindProxy.of("10.0.0.1", Optional.of("6.6.6.6, 198.51.100.7, 10.0.0.2"))).isEqualTo("198.51.100.7");
    assertThat(behindProxy.of("10.0.0.1", Optional.empty())).isEqualTo("10.0.0.1");
    assertThat(behindProxy.of("10.0.0.1", Optional.of("10.0.0.2"))).isEqualTo("10.0.0.1");
  }
}
