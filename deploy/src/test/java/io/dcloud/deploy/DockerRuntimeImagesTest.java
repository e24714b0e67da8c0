package io.dcloud.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigUtil;
import com.typesafe.config.ConfigValueFactory;
import io.dcloud.contracts.ImageRecipe;
import io.dcloud.deploy.ContainerRuntime.ContainerSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Image builds with progress and cache, and the base-image path when nothing can provide it. */
@Tag("docker")
class DockerRuntimeImagesTest {

  private static final Duration LOG_TIMEOUT = Duration.ofSeconds(30);

  /** Cleans up everything the class created, after its last test. */
  @RegisterExtension
  static final DockerTestSupport docker = DockerTestSupport.start();

  private static final DockerRuntime runtime = docker.runtime();

  @Test
  void buildsStreamsProgressAndReusesTheTag() throws Exception {
    String tag = docker.trackImage("dcloud-test/build:" + docker.runId());
    String dockerfile = String.join("\n",
        "FROM " + TestImages.BUSYBOX,
        "RUN echo built-" + docker.runId() + " > /hello.txt",
        "CMD [\"cat\", \"/hello.txt\"]");
    ImageRecipe recipe = new ImageRecipe(tag, TestImages.BUSYBOX, dockerfile);
    List<String> progress = new CopyOnWriteArrayList<>();

    runtime.ensureImage(recipe, progress::add);

    // The classic builder turns the image labels into one more step: "Step 1/4".
    assertThat(progress).anySatisfy(line -> assertThat(line).startsWith("Step 1/").endsWith(" : FROM " + TestImages.BUSYBOX));
    assertThat(progress).contains("Successfully tagged " + tag);
    assertThat(progress).allSatisfy(line -> assertThat(line).isNotBlank().isEqualTo(line.strip()));
    assertThat(TestImages.imageExists(docker.docker(), tag)).isTrue();
    assertThat(docker.docker().inspectImageCmd(tag).exec().getConfig().getLabels()).containsEntry("dcloud.managed", "true");

    List<String> second = new CopyOnWriteArrayList<>();
    runtime.ensureImage(recipe, second::add);
    assertThat(second).containsExactly("image " + tag + " is cached");

    ContainerSpec base = docker.busyboxSpec("built", List.of());
    ContainerSpec spec = new ContainerSpec(base.name(), tag, List.of(), base.env(), base.nanoCpus(), base.memoryBytes(),
        base.pidsLimit(), List.of(), List.of(), List.of(), base.labels(), base.tenant());
    String id = docker.run(spec);
    docker.awaitExited(id);
    assertThat(docker.logLines(id)).containsExactly("built-" + docker.runId());
  }

  @Test
  void aFailingBuildCarriesTheErrorAndTheLastLines() {
    String tag = docker.trackImage("dcloud-test/broken:" + docker.runId());
    String dockerfile = String.join("\n",
        "FROM " + TestImages.BUSYBOX,
        "RUN echo about to fail " + docker.runId() + " && exit 3");

    assertThatThrownBy(() -> runtime.ensureImage(new ImageRecipe(tag, TestImages.BUSYBOX, dockerfile), line -> {}))
        .isInstanceOf(RuntimeFailure.class)
        .hasMessageContaining("building image " + tag + " failed")
        .hasMessageContaining("returned a non-zero code: 3")
        .hasMessageContaining("about to fail " + docker.runId());
    assertThat(TestImages.imageExists(docker.docker(), tag)).isFalse();
  }

  @Test
  void aMissingBaseImageWithoutRecipeFailsWithAClearMessage() {
    String missing = "dcloud-test/no-such-base:" + docker.runId();
    String tag = docker.trackImage("dcloud-test/orphan:" + docker.runId());
    List<String> progress = new CopyOnWriteArrayList<>();

    assertThatThrownBy(() -> runtime.ensureImage(new ImageRecipe(tag, missing, "FROM " + missing + "\n"), progress::add))
        .isInstanceOf(RuntimeFailure.class)
        .hasMessageStartingWith("base image " + missing + " is not available locally, cannot be pulled (")
        .hasMessageContaining("DCloud has no local recipe for it")
        .hasMessageContaining("docker load")
        .hasMessageContaining("dcloud.deploy.base-images");
    assertThat(progress).contains("base image " + missing + " is not on this machine: trying to pull it");
  }

  @Test
  void concurrentEnsuresOfOneTagBuildItOnce() throws Exception {
    String tag = docker.trackImage("dcloud-test/once:" + docker.runId());
    ImageRecipe recipe = new ImageRecipe(tag, TestImages.BUSYBOX,
        "FROM " + TestImages.BUSYBOX + "\nRUN echo once-" + docker.runId() + " > /once\n");
    List<String> first = new CopyOnWriteArrayList<>();
    List<String> second = new CopyOnWriteArrayList<>();
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try {
      Future<?> a = pool.submit(() -> runtime.ensureImage(recipe, first::add));
      Future<?> b = pool.submit(() -> runtime.ensureImage(recipe, second::add));
      a.get(LOG_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
      b.get(LOG_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    } finally {
      pool.shutdownNow();
    }

    List<String> all = new ArrayList<>(first);
    all.addAll(second);
    assertThat(all).filteredOn(line -> line.equals("Successfully tagged " + tag)).hasSize(1);
    assertThat(all).contains("image " + tag + " is cached");
  }

  @Test
  void aRecipeWithoutDebootstrapSaysHowToInstallIt() {
    String base = "dcloud-test/recipe-base:" + docker.runId();
    try (DockerRuntime noDebootstrap = DockerRuntime.create(withRecipe(base, "http://127.0.0.1:9/debian")
        .withValue("base-images.debootstrap-command", ConfigValueFactory.fromAnyRef("no-such-debootstrap")))) {

      assertThatThrownBy(() -> noDebootstrap.ensureImage(new ImageRecipe(docker.name("x"), base, "FROM " + base), l -> {}))
          .isInstanceOf(RuntimeFailure.class)
          .hasMessageContaining("debootstrap is not installed")
          .hasMessageContaining("apt-get install debootstrap");
    }
  }

  @Test
  void aBootstrapFromAnUnreachableMirrorFailsAndCleansUp() throws Exception {
    String base = "dcloud-test/recipe-base:" + docker.runId();
    Path workDir = Files.createTempDirectory("dcloud-bootstrap-test");
    // Port 9 (discard) on loopback: nothing listens, so debootstrap fails at its first download.
    try (DockerRuntime unreachable = DockerRuntime.create(withRecipe(base, "http://127.0.0.1:9/debian")
        .withValue("base-images.work-dir", ConfigValueFactory.fromAnyRef(workDir.toString())))) {
      List<String> progress = new CopyOnWriteArrayList<>();

      assertThatThrownBy(() -> unreachable.ensureImage(new ImageRecipe(docker.name("x"), base, "FROM " + base), progress::add))
          .isInstanceOf(RuntimeFailure.class)
          .hasMessageContaining("with debootstrap failed")
          .hasMessageContaining("check that http://127.0.0.1:9/debian is reachable");
      assertThat(progress).contains("base image " + base
          + " is not in any reachable registry: building it locally from Test packages (debootstrap, about 2-5 minutes)");
      try (var left = Files.list(workDir)) {
        assertThat(left).as("work dir cleaned").isEmpty();
      }
    } finally {
      Files.deleteIfExists(workDir);
    }
  }

  private static Config withRecipe(String image, String mirror) {
    Config recipe = ConfigFactory.parseMap(Map.of(
        "suite", "bookworm", "variant", "minbase", "mirror", mirror, "source", "Test packages", "changes", List.of()));
    return ConfigFactory.load().getConfig("dcloud.deploy")
        .withValue("base-images.recipes." + ConfigUtil.quoteString(image), recipe.root())
        .withValue("base-images.pull-timeout", ConfigValueFactory.fromAnyRef("5s"));
  }
}
