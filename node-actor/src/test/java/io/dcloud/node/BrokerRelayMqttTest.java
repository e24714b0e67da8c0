package io.dcloud.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.dcloud.broker.MosquittoBroker;
import io.dcloud.contracts.EnvironmentNames;
import io.dcloud.deploy.ContainerRuntime.ContainerSpec;
import io.dcloud.deploy.ContainerRuntime.ExecResult;
import io.dcloud.deploy.DockerTestSupport;
import io.dcloud.testing.LocalTestKit;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A real MQTT login from inside a container, through the relay at {@code dcloud-gateway}, to a real
 * Mosquitto listening on the host's loopback only: the broker answers, and still checks the password.
 * (busybox has no MQTT client: the CONNECT packet is written by printf, the CONNACK read by od.)
 */
@Tag("docker")
@Tag("mqtt")
class BrokerRelayMqttTest {

  private static final Duration EXEC_TIMEOUT = Duration.ofSeconds(15);
  private static final long MAX_OUTPUT = 64 * 1024;
  /** CONNACK (0x20), remaining length 2, no session present, then the return code. */
  private static final String ACCEPTED = "20 02 00 00";

  @RegisterExtension
  static final DockerTestSupport docker = DockerTestSupport.start();

  private static final ActorTestKit testKit = LocalTestKit.create("BrokerRelayMqttTest");

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
  }

  @Test
  void aContainerLogsInToTheBrokerThroughTheRelayWithItsPasswordChecked() {
    try (MosquittoBroker broker = MosquittoBroker.start()) {
      BrokerRelay.Settings settings = new BrokerRelay.Settings(broker.host(), broker.port(),
          DockerTestSupport.freeLoopbackPort(), Duration.ofSeconds(10), Duration.ofSeconds(1));
      ContainerSpec busybox = docker.busyboxSpec("mqtt-probe", List.of("sleep", "infinity"));
      ContainerSpec spec = new ContainerSpec(busybox.name(), busybox.image(), busybox.command(), busybox.env(),
          busybox.nanoCpus(), busybox.memoryBytes(), busybox.pidsLimit(), busybox.gpuUuids(), busybox.ports(),
          busybox.volumes(), busybox.labels(), docker.tenant("mqtt"));
      try (BrokerRelay relay = BrokerRelay.start(testKit.system(), "mqtt-node", settings, docker.runtime())) {
        String id = docker.run(spec);
        String gateway = docker.inspectRaw(id).getNetworkSettings().getNetworks().values().iterator().next().getGateway();
        assertThat(relay.relayOn(gateway)).isTrue();

        String good = connack(id, settings.relayPort(), broker.adminUsername(), broker.adminPassword(), true);
        // No DISCONNECT after a refused CONNECT: the broker closes at once, and closing with the
        // DISCONNECT still unread makes its kernel reset the connection, which can drop the CONNACK.
        String bad = connack(id, settings.relayPort(), broker.adminUsername(), "not-" + broker.adminPassword(), false);

        assertThat(good).as("CONNACK with the right password; broker log:%n%s", broker.log()).isEqualTo(ACCEPTED);
        assertThat(bad).as("CONNACK with a wrong password").startsWith("20 02 00").isNotEqualTo(ACCEPTED);
      }
    }
  }

  /** Sends CONNECT (then DISCONNECT) from inside the container; returns the answer's bytes in hex. */
  private static String connack(String containerId, int relayPort, String username, String password, boolean disconnect) {
    String packets = octal(connect("relay-probe", username, password)) + (disconnect ? "\\340\\000" : "");
    String command = "printf '" + packets + "' | nc -w 3 " + EnvironmentNames.GATEWAY_HOST + " " + relayPort
        + " | od -An -tx1";
    ExecResult result = docker.runtime().exec(containerId, List.of("sh", "-c", command), null, EXEC_TIMEOUT, MAX_OUTPUT);
    return result.stdout().trim().replaceAll("\\s+", " ");
  }

  /** An MQTT 3.1.1 CONNECT with user name and password, clean session, 60 s keep-alive. */
  private static byte[] connect(String clientId, String username, String password) {
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    body.writeBytes(new byte[] {0, 4, 'M', 'Q', 'T', 'T', 4, (byte) 0xC2, 0, 60});
    for (String field : List.of(clientId, username, password)) {
      byte[] bytes = field.getBytes(StandardCharsets.UTF_8);
      body.write(bytes.length >> 8);
      body.write(bytes.length & 0xFF);
      body.writeBytes(bytes);
    }
    if (body.size() > 127) {
      throw new IllegalArgumentException("one length byte only: keep the fields short");
    }
    ByteArrayOutputStream packet = new ByteArrayOutputStream();
    packet.write(0x10);
    packet.write(body.size());
    packet.writeBytes(body.toByteArray());
    return packet.toByteArray();
  }

  private static String octal(byte[] bytes) {
    StringBuilder escaped = new StringBuilder();
    for (byte b : bytes) {
      escaped.append(String.format("\\%03o", b & 0xFF));
    }
    return escaped.toString();
  }
}
