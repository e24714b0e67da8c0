package io.dcloud.node;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.dcloud.catalog.Catalog;
import io.dcloud.catalog.CatalogParser;
import io.dcloud.catalog.DockerfileGenerator;
import io.dcloud.contracts.ImageRecipe;
import io.dcloud.deploy.ContainerRuntime;
import io.dcloud.deploy.ContainerRuntime.ContainerSpec;
import io.dcloud.deploy.DockerTestSupport;
import io.dcloud.deploy.TestImages;
import io.dcloud.resources.Resources;
import io.dcloud.spec.EnvironmentSpec;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Images from the catalog's generated Dockerfile run as uid 1000 on the real engine, with a home
 * they can write; only an OS the catalog marks {@code run-as-root} runs as root.
 */
@Tag("docker")
class UnprivilegedContainersTest {

  private static final Duration RUN_TIMEOUT = Duration.ofSeconds(60);
  /** Whoever the container runs as, and whether its home is its own. */
  private static final List<String> WHO_AM_I = List.of("sh", "-c", "id -u; echo \"$HOME\"; touch \"$HOME/probe\" && echo writable");

  @RegisterExtension
  static final DockerTestSupport docker = DockerTestSupport.start();

  /** Two OSes on the busybox test image (built in seconds, no mirror needed). */
  private static final Catalog CATALOG = CatalogParser.parse(readTree("""
      [{"os": "tiny", "base-image": "%1$s", "init-steps": ["echo init"]},
       {"os": "tiny-root", "base-image": "%1$s", "init-steps": ["echo init"], "run-as-root": true}]"""
      .formatted(TestImages.BUSYBOX)));

  @Test
  void anEnvironmentRunsAsUid1000WithAWritableHome() throws Exception {
    assertThat(runGenerated("tiny")).containsExactly("1000", "/home/dcloud", "writable");
  }

  @Test
  void anEnvironmentCanWriteItsOwnVolumes() throws Exception {
    ImageRecipe recipe = DockerfileGenerator.generate(CATALOG, spec("tiny").withStorage(List.of(
        new EnvironmentSpec.VolumeSpec("/data", 1 << 20, EnvironmentSpec.Lifecycle.PERSISTENT))));
    List<String> lines = run(recipe, List.of("sh", "-c", "touch /data/probe && echo writable"),
        List.of(new ContainerRuntime.VolumeMount(docker.name("own-volume"), "/data")));
    assertThat(lines).containsExactly("writable");
  }

  @Test
  void anOsTheCatalogLetsKeepRootRunsAsRoot() throws Exception {
    assertThat(runGenerated("tiny-root")).startsWith("0");
  }

  /** Builds the catalog's image for {@code os}, runs {@link #WHO_AM_I} in it and returns its output. */
  private static List<String> runGenerated(String os) throws Exception {
    return run(DockerfileGenerator.generate(CATALOG, spec(os)), WHO_AM_I, List.of());
  }

  /** Builds {@code recipe}'s image, runs {@code command} in it with {@code volumes} and returns its output. */
  private static List<String> run(ImageRecipe recipe, List<String> command, List<ContainerRuntime.VolumeMount> volumes)
      throws Exception {
    docker.trackImage(recipe.tag());
    docker.runtime().ensureImage(recipe, line -> {});
    ContainerSpec base = docker.busyboxSpec(recipe.tag().substring(recipe.tag().indexOf(':') + 1), command);
    String id = docker.run(new ContainerSpec(base.name(), recipe.tag(), base.command(), base.env(), base.nanoCpus(),
        base.memoryBytes(), base.pidsLimit(), List.of(), List.of(), volumes, base.labels(), docker.tenant("owner")));
    docker.awaitContainer(id, info -> "exited".equals(info.state()), RUN_TIMEOUT);
    return docker.logLines(id);
  }

  private static EnvironmentSpec spec(String os) {
    return new EnvironmentSpec("who", "1", os, null, List.of(), new Resources(500, 64L << 20, 0, 0, null), List.of(),
        List.of(), List.of(), List.of(), Map.of(), Map.of(), EnvironmentSpec.RestartPolicy.NEVER);
  }

  private static com.fasterxml.jackson.databind.JsonNode readTree(String json) {
    try {
      return new ObjectMapper().readTree(json);
    } catch (java.io.IOException e) {
      throw new AssertionError(e);
    }
  }
}
