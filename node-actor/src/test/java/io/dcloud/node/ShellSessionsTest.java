package io.dcloud.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.dcloud.deploy.DockerTestSupport;
import io.dcloud.node.ShellProtocol.Input;
import io.dcloud.node.ShellProtocol.Output;
import io.dcloud.testing.LocalTestKit;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.Done;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.japi.Pair;
import org.apache.pekko.stream.OverflowStrategy;
import org.apache.pekko.stream.SourceRef;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.stream.javadsl.SourceQueueWithComplete;
import org.apache.pekko.stream.javadsl.StreamRefs;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Interactive commands on a node against the real engine, in an idle busybox container running as
 * uid 1000: output and exit code come back through StreamRefs, and a session whose user went away
 * (output no longer read, or input ended without end-of-input) ends on the node: its slot comes
 * back and its processes (a shell and the sleep it waits for) are gone from the container.
 */
@Tag("docker")
class ShellSessionsTest {
  private static final Duration WAIT = Duration.ofSeconds(30);

  @RegisterExtension
  static final DockerTestSupport docker = DockerTestSupport.start();

  private static final ActorTestKit testKit = LocalTestKit.create("ShellSessionsTest");
  private static final ContainerActivity activity = new ContainerActivity();
  private static ShellSessions shells;
  private static String containerId;

  @BeforeAll
  static void startIdleContainer() {
    String name = docker.name("shell-node");
    containerId = docker.docker().createContainerCmd(io.dcloud.deploy.TestImages.BUSYBOX)
        .withName(name)
        .withUser("1000:1000")
        .withCmd("sleep", "infinity")
        .withLabels(docker.labels(name, docker.name("node")))
        .exec()
        .getId();
    docker.runtime().start(containerId);
    shells = new ShellSessions("n1", docker.runtime(), new SessionSettings(2, 1, WAIT, WAIT), activity,
        testKit.system().dispatchers().lookup(DispatcherSelector.fromConfig(SessionSettings.DISPATCHER)));
  }

  @AfterAll
  static void stopKit() {
    testKit.shutdownTestKit();
  }

  @Test
  void aShellRunsAsTheContainersUserAndEndsWithItsExitCode() throws Exception {
    Pair<SourceQueueWithComplete<Input>, SourceRef<Input>> input = input();
    SourceRef<Output> output = opened(open(List.of("sh"), false, input.second(), "e-echo"));

    input.first().offer(new ShellProtocol.Stdin("echo hi; id -u\n".getBytes(StandardCharsets.UTF_8)));
    input.first().offer(new ShellProtocol.StdinEnd());
    List<Output> all = output.getSource().runWith(Sink.seq(), testKit.system()).toCompletableFuture()
        .get(WAIT.toSeconds(), TimeUnit.SECONDS);

    assertThat(text(all)).isEqualTo("hi\n1000\n");
    assertThat(all.get(all.size() - 1)).isEqualTo(new ShellProtocol.Exit(0));
    assertThat(activity.lastActivity("e-echo")).isPresent();
    await().atMost(WAIT).until(() -> shells.open() == 0);
  }

  @Test
  void aSessionWhoseOutputIsNoLongerReadEndsOnTheNodeWithItsProcesses() throws Exception {
    Pair<SourceQueueWithComplete<Input>, SourceRef<Input>> input = input();
    SourceRef<Output> output = opened(open(List.of("sh", "-c", "sleep 600; echo", "marker-unread"), false, input.second(), "e1"));
    await().atMost(WAIT).until(() -> processes().contains("marker-unread"));

    output.getSource().runWith(Sink.cancelled(), testKit.system());

    await().atMost(WAIT).until(() -> shells.open() == 0);
    await().atMost(WAIT).until(() -> !processes().contains("marker-unread"));
  }

  @Test
  void aTerminalSessionWhoseInputEndsWithoutEndOfInputEndsOnTheNodeWithItsProcesses() throws Exception {
    Pair<SourceQueueWithComplete<Input>, SourceRef<Input>> input = input();
    SourceRef<Output> output = opened(open(List.of("sh", "-c", "sleep 600; echo", "marker-gone"), true, input.second(), "e2"));
    var read = output.getSource().runWith(Sink.ignore(), testKit.system());
    await().atMost(WAIT).until(() -> processes().contains("marker-gone"));

    input.first().complete();

    assertThat(read.toCompletableFuture().get(WAIT.toSeconds(), TimeUnit.SECONDS)).isEqualTo(Done.getInstance());
    await().atMost(WAIT).until(() -> shells.open() == 0);
    await().atMost(WAIT).until(() -> !processes().contains("marker-gone"));
  }

  @Test
  void oneShellMoreThanTheLimitIsRefusedUntilOneEnds() throws Exception {
    Pair<SourceQueueWithComplete<Input>, SourceRef<Input>> first = input();
    Pair<SourceQueueWithComplete<Input>, SourceRef<Input>> second = input();
    opened(open(List.of("sh"), false, first.second(), "e3"));
    opened(open(List.of("sh"), false, second.second(), "e3"));

    assertThat(open(List.of("sh"), false, input().second(), "e3")).isInstanceOf(ShellProtocol.Refused.class);

    first.first().complete();
    await().atMost(WAIT).until(() -> shells.open() == 1);
    second.first().complete();
    await().atMost(WAIT).until(() -> shells.open() == 0);
  }

  @Test
  void aCommandThatCannotStartIsUnavailableAndHoldsNoSlot() {
    ShellProtocol.Reply reply = shells.open(
        new NodeProtocol.ShellIn("e4", "no-such-container", List.of("sh"), false, input().second(), null),
        testKit.system());

    assertThat(reply).isInstanceOf(ShellProtocol.Unavailable.class);
    assertThat(shells.open()).isZero();
  }

  private ShellProtocol.Reply open(List<String> command, boolean tty, SourceRef<Input> input, String environmentId) {
    TestProbe<ShellProtocol.Reply> replies = testKit.createTestProbe();
    return shells.open(new NodeProtocol.ShellIn(environmentId, containerId, command, tty, input, replies.getRef()),
        testKit.system());
  }

  private static SourceRef<Output> opened(ShellProtocol.Reply reply) {
    assertThat(reply).isInstanceOf(ShellProtocol.Opened.class);
    return ((ShellProtocol.Opened) reply).output();
  }

  private static Pair<SourceQueueWithComplete<Input>, SourceRef<Input>> input() {
    return Source.<Input>queue(16, OverflowStrategy.backpressure())
        .toMat(StreamRefs.sourceRef(), (queue, ref) -> Pair.create(queue, ref))
        .run(testKit.system());
  }

  private static String processes() {
    return docker.runtime().exec(containerId, List.of("ps", "-o", "args"), null, WAIT, 64 * 1024).stdout();
  }

  private static String text(List<Output> outputs) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    outputs.stream().filter(ShellProtocol.Bytes.class::isInstance)
        .forEach(o -> bytes.writeBytes(((ShellProtocol.Bytes) o).bytes()));
    return bytes.toString(StandardCharsets.UTF_8);
  }
}
