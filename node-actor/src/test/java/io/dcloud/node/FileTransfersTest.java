package io.dcloud.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.dcloud.deploy.DockerTestSupport;
import io.dcloud.deploy.TarArchive;
import io.dcloud.deploy.TestImages;
import io.dcloud.testing.LocalTestKit;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.stream.SourceRef;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.stream.javadsl.StreamRefs;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Files into and out of a container on a node against the real engine (busybox running as uid
 * 1000): one file comes back byte for byte and belongs to the container's user, whether its length
 * was known or not; a tar lands in a directory made for it and comes back as a tar; a missing path
 * or parent is answered as missing.
 */
@Tag("docker")
class FileTransfersTest {
  private static final Duration WAIT = Duration.ofSeconds(30);

  @RegisterExtension
  static final DockerTestSupport docker = DockerTestSupport.start();

  private static final ActorTestKit testKit = LocalTestKit.create("FileTransfersTest");
  private static FileTransfers files;
  private static String containerId;

  @BeforeAll
  static void startIdleContainer() {
    String name = docker.name("files-node");
    containerId = docker.docker().createContainerCmd(TestImages.BUSYBOX)
        .withName(name)
        .withUser("1000:1000")
        .withCmd("sleep", "infinity")
        .withLabels(docker.labels(name, docker.name("node")))
        .exec()
        .getId();
    docker.runtime().start(containerId);
    files = new FileTransfers("n1", docker.runtime(), new SessionSettings(1, 2, WAIT, WAIT), new ContainerActivity(),
        testKit.system().dispatchers().lookup(DispatcherSelector.fromConfig(SessionSettings.DISPATCHER)));
  }

  @AfterAll
  static void stopKit() {
    testKit.shutdownTestKit();
  }

  @Test
  void aFileGoesInAndComesBackByteForByteOwnedByTheContainersUser() throws Exception {
    byte[] content = new byte[300_000];
    new Random(7).nextBytes(content);

    assertThat(put("/tmp/blob.bin", false, (long) content.length, content))
        .isEqualTo(new FilesProtocol.Written("/tmp/blob.bin", content.length));
    assertThat(put("/tmp/unknown-length.bin", false, null, content))
        .isEqualTo(new FilesProtocol.Written("/tmp/unknown-length.bin", content.length));

    FilesProtocol.Read read = (FilesProtocol.Read) files.get(get("/tmp/blob.bin"), testKit.system());
    assertThat(read.archive()).isFalse();
    assertThat(read.name()).isEqualTo("blob.bin");
    assertThat(read.size()).isEqualTo(content.length);
    assertThat(bytes(read.content())).isEqualTo(content);
    assertThat(bytes(((FilesProtocol.Read) files.get(get("/tmp/unknown-length.bin"), testKit.system())).content()))
        .isEqualTo(content);
    assertThat(docker.runtime().exec(containerId, List.of("stat", "-c", "%u %a", "/tmp/blob.bin"), null, WAIT, 1024).stdout())
        .isEqualTo("1000 644\n");
    assertThat(files.running()).isZero();
  }

  @Test
  void aTarGoesIntoADirectoryMadeForItAndTheDirectoryComesBackAsATar() throws Exception {
    byte[] tar = TarArchive.create().directory("docs", 0755).file("docs/a.txt", "alpha").file("b.txt", "beta").toBytes();

    assertThat(put("/tmp/new/place", true, (long) tar.length, tar)).isInstanceOf(FilesProtocol.Written.class);

    FilesProtocol.Read read = (FilesProtocol.Read) files.get(get("/tmp/new/place"), testKit.system());
    assertThat(read.archive()).isTrue();
    List<String> names = new ArrayList<>();
    try (TarArchiveInputStream in = new TarArchiveInputStream(new ByteArrayInputStream(bytes(read.content())))) {
      for (TarArchiveEntry e = in.getNextEntry(); e != null; e = in.getNextEntry()) {
        names.add(e.getName() + (e.isFile() ? "=" + new String(in.readAllBytes(), StandardCharsets.UTF_8) : ""));
      }
    }
    assertThat(names).contains("place/", "place/docs/", "place/docs/a.txt=alpha", "place/b.txt=beta");
    assertThat(docker.runtime().exec(containerId, List.of("stat", "-c", "%u", "/tmp/new/place/docs/a.txt"), null, WAIT, 1024)
        .stdout()).isEqualTo("1000\n");
  }

  @Test
  void anUploadThatIsNotATarIsRefusedWithTheReason() {
    byte[] notATar = "just some text, not a tar".repeat(100).getBytes(StandardCharsets.UTF_8);

    assertThat(put("/tmp/bad", true, (long) notATar.length, notATar)).isInstanceOf(FilesProtocol.Rejected.class);
    assertThat(files.running()).isZero();
  }

  @Test
  void aMissingPathOrParentIsAnsweredAsMissing() throws Exception {
    assertThat(files.get(get("/tmp/no-such-file"), testKit.system()))
        .isEqualTo(new FilesProtocol.Missing("/tmp/no-such-file"));
    assertThat(put("/tmp/no-such-dir/a.txt", false, 2L, "hi".getBytes(StandardCharsets.UTF_8)))
        .isEqualTo(new FilesProtocol.Missing("/tmp/no-such-dir"));
    assertThat(files.running()).isZero();
  }

  private static FilesProtocol.Reply put(String path, boolean archive, Long length, byte[] content) {
    List<byte[]> chunks = new ArrayList<>();
    for (int i = 0; i < content.length; i += 8192) {
      chunks.add(java.util.Arrays.copyOfRange(content, i, Math.min(content.length, i + 8192)));
    }
    SourceRef<byte[]> ref = Source.from(chunks).runWith(StreamRefs.sourceRef(), testKit.system());
    return files.put(new NodeProtocol.PutFilesIn("e1", containerId, path, archive, length, ref, null), testKit.system());
  }

  private static NodeProtocol.GetFilesIn get(String path) {
    return new NodeProtocol.GetFilesIn("e1", containerId, path, null);
  }

  private static byte[] bytes(SourceRef<byte[]> content) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    content.getSource().runWith(Sink.foreach(out::writeBytes), testKit.system()).toCompletableFuture()
        .get(WAIT.toSeconds(), TimeUnit.SECONDS);
    return out.toByteArray();
  }
}
