package io.dcloud.node;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import com.typesafe.config.ConfigFactory;
import io.dcloud.contracts.EnvironmentNames;
import io.dcloud.deploy.ContainerRuntime.ContainerSpec;
import io.dcloud.deploy.DockerTestSupport;
import io.dcloud.testing.LocalTestKit;
import io.dcloud.testing.LogCapture;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * On the real engine: a container reaches what the relay stands in front of at {@code dcloud-gateway}
 * (a TCP echo server on the host's loopback stands for the broker, which containers cannot reach
 * directly), a second relay for the same address leaves it to the first, and closing unbinds.
 */
@Tag("docker")
class BrokerRelayTest {

  private static final Duration DEADLINE = Duration.ofSeconds(30);
  private static final Duration EXEC_TIMEOUT = Duration.ofSeconds(15);
  private static final long MAX_OUTPUT = 64 * 1024;
  private static final String GREETING = "hello-broker";

  @RegisterExtension
  static final DockerTestSupport docker = DockerTestSupport.start();

  private static final ActorTestKit testKit = LocalTestKit.create("BrokerRelayTest");
  private static ServerSocket echo;

  @BeforeAll
  static void startEcho() throws IOException {
    echo = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    daemon(BrokerRelayTest::serveEcho);
  }

  @AfterAll
  static void stop() throws IOException {
    echo.close();
    testKit.shutdownTestKit();
  }

  @Test
  void aContainerReachesTheBrokerThroughDcloudGateway() throws Exception {
    BrokerRelay.Settings settings = settings(DockerTestSupport.freeLoopbackPort());
    try (BrokerRelay relay = BrokerRelay.start(testKit.system(), "relay-node", settings, docker.runtime())) {
      String id = docker.run(probe("relay-probe", docker.tenant("relay")));

      // The relay may still be listing the engine's networks when the container starts: poll.
      String answer = awaitEcho(id, settings.relayPort());

      assertThat(answer).contains(GREETING);
      String gateway = gateway(id);
      assertThat(relay.relayOn(gateway)).as("relays on the container's gateway").isTrue();
    }
  }

  @Test
  void aSecondRelayForAnAddressLeavesItToTheFirstAndSaysSoOnce() throws Exception {
    BrokerRelay.Settings settings = settings(DockerTestSupport.freeLoopbackPort());
    String id = docker.run(probe("shared-probe", docker.tenant("twice")));
    String gateway = gateway(id);
    try (LogCapture log = LogCapture.of(BrokerRelay.class);
        BrokerRelay first = BrokerRelay.start(testKit.system(), "first-node", settings, docker.runtime())) {
      assertThat(first.relayOn(gateway)).isTrue();
      BrokerRelay second = BrokerRelay.start(testKit.system(), "second-node", settings, docker.runtime());

      boolean secondServes = second.relayOn(gateway);
      boolean secondServesLater = second.relayOn(gateway);

      assertThat(secondServes).isFalse();
      assertThat(secondServesLater).isFalse();
      assertThat(log.messages(Level.INFO))
          .filteredOn(message -> message.startsWith("Node second-node does not relay the broker on " + gateway + ":"))
          .hasSize(1);
      assertThat(awaitEcho(id, settings.relayPort())).as("the first still serves").contains(GREETING);
      second.close();
    }
  }

  @Test
  void closingTheRelayUnbindsIt() throws Exception {
    BrokerRelay.Settings settings = settings(DockerTestSupport.freeLoopbackPort());
    String id = docker.run(probe("closed-probe", docker.tenant("closed")));
    String gateway = gateway(id);
    BrokerRelay relay = BrokerRelay.start(testKit.system(), "closing-node", settings, docker.runtime());
    assertThat(relay.relayOn(gateway)).isTrue();
    assertThat(connects(gateway, settings.relayPort())).as("control: bound before close").isTrue();

    relay.close();

    long deadline = System.nanoTime() + DEADLINE.toNanos();
    while (connects(gateway, settings.relayPort()) && System.nanoTime() < deadline) {
      Thread.sleep(DockerTestSupport.POLL_INTERVAL.toMillis());
    }
    assertThat(connects(gateway, settings.relayPort())).as("still bound after close").isFalse();
    assertThat(relay.relayOn(gateway)).as("a closed relay binds nothing").isFalse();
  }

  @Test
  void withTheBrokerOffThereIsNothingToRelay() {
    var config = ConfigFactory.parseMap(Map.of("dcloud.broker.enabled", false)).withFallback(ConfigFactory.load());

    assertThat(BrokerRelay.Settings.fromConfig(config).enabled()).isFalse();
    assertThat(BrokerRelay.Settings.fromConfig(ConfigFactory.load()).enabled()).as("on by default").isTrue();
  }

  private static BrokerRelay.Settings settings(int relayPort) {
    return new BrokerRelay.Settings("127.0.0.1", echo.getLocalPort(), relayPort, Duration.ofSeconds(10), Duration.ofSeconds(1));
  }

  /** Sends a line through the relay from inside the container until the echo answers (bounded). */
  private static String awaitEcho(String containerId, int relayPort) throws InterruptedException {
    String command = "echo " + GREETING + " | nc -w 2 " + EnvironmentNames.GATEWAY_HOST + " " + relayPort;
    long deadline = System.nanoTime() + DEADLINE.toNanos();
    String last = "";
    while (System.nanoTime() < deadline) {
      var result = docker.runtime().exec(containerId, List.of("sh", "-c", command), null, EXEC_TIMEOUT, MAX_OUTPUT);
      last = result.stdout() + result.stderr();
      if (result.stdout().contains(GREETING)) {
        return result.stdout();
      }
      Thread.sleep(DockerTestSupport.POLL_INTERVAL.toMillis());
    }
    throw new AssertionError("no echo through the relay within " + DEADLINE + "; last: " + last);
  }

  private static ContainerSpec probe(String suffix, String tenant) {
    ContainerSpec spec = docker.busyboxSpec(suffix, List.of("sleep", "infinity"));
    return new ContainerSpec(spec.name(), spec.image(), spec.command(), spec.env(), spec.nanoCpus(), spec.memoryBytes(),
        spec.pidsLimit(), spec.gpuUuids(), spec.ports(), spec.volumes(), spec.labels(), tenant);
  }

  /** The container's gateway as the engine reports it. */
  private static String gateway(String containerId) {
    return docker.inspectRaw(containerId).getNetworkSettings().getNetworks().values().iterator().next().getGateway();
  }

  private static boolean connects(String host, int port) {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(host, port), 2000);
      return true;
    } catch (IOException refused) {
      return false;
    }
  }

  private static void serveEcho() {
    while (!echo.isClosed()) {
      try {
        Socket connection = echo.accept();
        daemon(() -> copy(connection));
      } catch (IOException closed) {
        return;
      }
    }
  }

  private static void daemon(Runnable body) {
    Thread thread = new Thread(body, "echo");
    thread.setDaemon(true);
    thread.start();
  }

  private static void copy(Socket connection) {
    try (connection; InputStream in = connection.getInputStream(); OutputStream out = connection.getOutputStream()) {
      byte[] buffer = new byte[1024];
      for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
        out.write(buffer, 0, n);
        out.flush();
      }
    } catch (IOException dropped) {
      // the client went away
    }
  }
}
