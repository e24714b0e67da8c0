package io.dcloud.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class RestartablePortsTest {
  @Test
  void portsAreDistinctFreeAndBelowTheKernelsEphemeralRange() throws Exception {
    int ephemeralLow = Integer.parseInt(
        Files.readAllLines(Path.of("/proc/sys/net/ipv4/ip_local_port_range")).get(0).trim().split("\\s+")[0]);

    int[] ports = RestartablePorts.pick(6);

    assertThat(Arrays.stream(ports).distinct().count()).isEqualTo(6);
    for (int port : ports) {
      assertThat(port).isBetween(20000, ephemeralLow - 1);
      try (ServerSocket bound = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
        assertThat(bound.getLocalPort()).isEqualTo(port);
      }
    }
  }
}
