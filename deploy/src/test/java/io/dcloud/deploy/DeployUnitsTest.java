package io.dcloud.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.dockerjava.api.model.Capability;
import com.github.dockerjava.api.model.CpuStatsConfig;
import com.github.dockerjava.api.model.Event;
import com.github.dockerjava.api.model.EventActor;
import com.github.dockerjava.api.model.Frame;
import com.github.dockerjava.api.model.StreamType;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import io.dcloud.deploy.ContainerRuntime.ContainerEvent;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The pure parts of the deploy module: no engine needed. */
class DeployUnitsTest {

  @Test
  void buildProgressLinesLoseTheirTerminalColours() {
    assertThat(ImageBuilds.plain("\u001B[91mdebconf: delaying package configuration\u001B[0m  ")).isEqualTo("debconf: delaying package configuration");
    assertThat(ImageBuilds.plain("\u001B[0m")).isEmpty();
  }

  @Test
  void referenceConfigParsesWithRecipesAndAliases() {
    DockerSettings settings = DockerSettings.fromConfig(ConfigFactory.load().getConfig("dcloud.deploy"));

    assertThat(settings.dockerHost()).isEqualTo("unix:///var/run/docker.sock");
    assertThat(settings.callTimeout()).isEqualTo(Duration.ofSeconds(30));
    assertThat(settings.startTimeout()).as("create and start wait like the kubelet's runtime calls").isEqualTo(Duration.ofMinutes(2));
    assertThat(settings.container().capDrop()).containsExactly(Capability.ALL);
    assertThat(settings.container().capAdd()).contains(Capability.CHOWN, Capability.SETUID, Capability.SETGID,
        Capability.DAC_OVERRIDE).doesNotContain(Capability.NET_RAW, Capability.MKNOD);
    assertThat(settings.baseImages().recipes()).containsKeys("debian:bookworm", "debian:12");
    assertThat(settings.baseImages().recipes().get("debian:12"))
        .isEqualTo(settings.baseImages().recipes().get("debian:bookworm"));
    assertThat(settings.baseImages().recipes().get("debian:bookworm").suite()).isEqualTo("bookworm");
    // Builds on the bridge: catalog steps must not reach the host's loopback services.
    assertThat(settings.build().networkMode()).isEqualTo("default");
    assertThat(settings.logLineMaxBytes()).isEqualTo(16 * 1024);
    assertThat(settings.container().logMaxSize()).isEqualTo("10m");
    assertThat(settings.container().logMaxFile()).isEqualTo(3);
    assertThat(settings.network().shared()).isEqualTo("dcloud-shared");
  }

  @Test
  void eachOwnerGetsANetworkNamedAfterThem() {
    var network = DockerSettings.fromConfig(ConfigFactory.load().getConfig("dcloud.deploy")).network();

    assertThat(TenantNetworks.name(network, "alice")).isEqualTo("dcloud-tenant-alice");
    assertThat(TenantNetworks.name(network, null)).isEqualTo("dcloud-shared");
    // Changed to fit a network name: a hash of the original keeps "Bob" apart from "bob".
    assertThat(TenantNetworks.name(network, "Bob")).matches("dcloud-tenant-bob-[0-9a-f]{8}");
    assertThat(TenantNetworks.name(network, "bob")).isEqualTo("dcloud-tenant-bob");
    assertThat(TenantNetworks.name(network, "a@b c")).matches("dcloud-tenant-a-b-c-[0-9a-f]{8}");
    assertThat(TenantNetworks.name(network, "x".repeat(300))).hasSizeLessThan(64);
    assertThat(TenantNetworks.bridge(network, "dcloud-tenant-alice")).matches("dcl-[0-9a-f]{8}");
  }

  @Test
  void anUnknownCapabilityIsAConfigError() {
    var config = ConfigFactory.parseString("container.cap-add = [CHOWN, FLY]")
        .withFallback(ConfigFactory.load().getConfig("dcloud.deploy"));

    assertThatThrownBy(() -> DockerSettings.fromConfig(config))
        .isInstanceOf(ConfigException.BadValue.class)
        .hasMessageContaining("FLY");
  }

  @Test
  void imageReferencesSplitIntoRepositoryAndTag() {
    assertThat(ImageReference.parse("debian:bookworm")).isEqualTo(new ImageReference("debian", "bookworm"));
    assertThat(ImageReference.parse("debian")).isEqualTo(new ImageReference("debian", "latest"));
    assertThat(ImageReference.parse("registry:5000/team/img")).isEqualTo(new ImageReference("registry:5000/team/img", "latest"));
    assertThat(ImageReference.parse("registry:5000/img:1.2")).isEqualTo(new ImageReference("registry:5000/img", "1.2"));
    assertThat(ImageReference.parse("img@sha256:abc")).isEqualTo(new ImageReference("img", "sha256:abc"));
  }

  @Test
  void tarArchiveIsReadableByTar(@TempDir Path dir) throws Exception {
    String longName = "a/" + "b".repeat(90) + "/" + "c".repeat(60) + ".txt";
    byte[] tar = TarArchive.create()
        .directory("bin", 0755)
        .file("bin/tool", "#!/bin/sh\necho hi\n".getBytes(StandardCharsets.UTF_8), 0755)
        .symlink("bin/alias", "tool")
        .file(longName, "deep")
        .toBytes();
    Path archive = dir.resolve("t.tar");
    Files.write(archive, tar);

    Process list = new ProcessBuilder("tar", "-tvf", archive.toString()).redirectErrorStream(true).start();
    String listing = new String(list.getInputStream().readAllBytes(), StandardCharsets.UTF_8);

    assertThat(list.waitFor()).as(listing).isZero();
    assertThat(listing).contains("drwxr-xr-x", "bin/tool", "bin/alias -> tool", longName);
    assertThat(tar.length % 512).isZero();
  }

  @Test
  void logFramesBecomeWholeLinesPerStream() {
    List<String> lines = new ArrayList<>();
    LogLines splitter = new LogLines(lines::add, 1024);

    splitter.accept(frame(StreamType.STDOUT, "one\ntw"));
    splitter.accept(frame(StreamType.STDERR, "err"));
    splitter.accept(frame(StreamType.STDOUT, "o\r\nthree\n"));
    splitter.accept(frame(StreamType.STDERR, "or\n"));
    splitter.accept(frame(StreamType.STDOUT, "tail"));
    splitter.flush();

    assertThat(lines).containsExactly("one", "two", "three", "error", "tail");
  }

  @Test
  void aLongLineIsCutAndMarkedTruncated() {
    List<String> lines = new ArrayList<>();
    LogLines splitter = new LogLines(lines::add, 8);

    splitter.accept(frame(StreamType.STDOUT, "0123456"));
    splitter.accept(frame(StreamType.STDOUT, "789abcdef\nshort\n"));
    // "é" is two bytes: a cut through it drops the whole character, never half of it.
    splitter.accept(frame(StreamType.STDOUT, "1234567é9\n"));
    splitter.accept(frame(StreamType.STDERR, "x".repeat(100)));
    splitter.flush();

    assertThat(lines).containsExactly(
        "01234567" + LogLines.TRUNCATED, "short", "1234567" + LogLines.TRUNCATED, "xxxxxxxx" + LogLines.TRUNCATED);
  }

  @Test
  void eventsMapFromActionAndActorAsNewEnginesSendThem() {
    Event die = new Event()
        .withAction("die")
        .withEventActor(new EventActor().withId("abc123").withAttributes(Map.of(
            "exitCode", "137", "name", "dcloud-e1", "image", "x", "dcloud.env", "e1", "dcloud.node", "n1")));

    ContainerEvent event = DockerRuntime.toContainerEvent(die);

    assertThat(event).isEqualTo(new ContainerEvent("abc123", "die", Map.of("dcloud.env", "e1", "dcloud.node", "n1"), 137));
    assertThat(DockerRuntime.toContainerEvent(new Event().withAction("exec_start: sh")
        .withEventActor(new EventActor().withId("abc123")))).isNull();
  }

  @Test
  void cpuPercentFollowsDockerStats() throws IOException {
    var mapper = new com.fasterxml.jackson.databind.ObjectMapper();
    CpuStatsConfig before = mapper.readValue(
        "{\"cpu_usage\":{\"total_usage\":1000000000},\"system_cpu_usage\":100000000000,\"online_cpus\":4}",
        CpuStatsConfig.class);
    CpuStatsConfig after = mapper.readValue(
        "{\"cpu_usage\":{\"total_usage\":1500000000},\"system_cpu_usage\":104000000000,\"online_cpus\":4}",
        CpuStatsConfig.class);

    // 0.5 s of CPU over 4 s of host time across 4 CPUs = half a CPU = 50 %.
    assertThat(StatsSamples.cpuPercent(before, after)).isEqualTo(50.0);
    assertThat(StatsSamples.cpuPercent(after, before)).isZero();
  }

  @Test
  void engineMessagesLoseDockerJavasWrapping() {
    var e = new com.github.dockerjava.api.exception.NotFoundException("{\"message\":\"No such container: x\"}\n");

    assertThat(DaemonCalls.engineMessage(e)).isEqualTo("No such container: x");
  }

  private static Frame frame(StreamType type, String text) {
    return new Frame(type, text.getBytes(StandardCharsets.UTF_8));
  }
}
