package io.dcloud.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.github.dockerjava.api.command.CreateContainerCmd;
import io.dcloud.contracts.ImageRecipe;
import io.dcloud.deploy.ContainerRuntime.ContainerInfo;
import io.dcloud.deploy.ContainerRuntime.ContainerSpec;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The real air-gapped path: debian:bookworm is in no reachable registry, so the first run builds it
 * with debootstrap from deb.debian.org (minutes), then builds a numpy image on it. The base image
 * is kept for later runs and other tests; only the images built here are removed.
 */
@Timeout(value = 30, unit = TimeUnit.MINUTES)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Tag("docker")
class DebianBaseImageBuildTest {

  private static final String BASE = "debian:bookworm";
  private static final long MEMORY_BYTES = 512L * 1024 * 1024;
  private static final long PIDS = 256;
  private static final Duration RUN_TIMEOUT = Duration.ofMinutes(5);
  private static final String BOOTSTRAP_MESSAGE = "base image debian:bookworm is not in any reachable registry: "
      + "building it locally from Debian packages (debootstrap, about 2-5 minutes)";

  /** Cleans up everything the class created, after its last test. */
  @RegisterExtension
  static final DockerTestSupport docker = DockerTestSupport.start();

  private static final DockerRuntime runtime = docker.runtime();

  @Test
  @Order(1) // first, so that on a fresh machine it is the one that bootstraps the base image
  void buildsANumpyImageOnALocallyBootstrappedDebian() throws Exception {
    boolean baseWasThere = TestImages.imageExists(docker.docker(), BASE);
    String tag = docker.trackImage("dcloud-test/numpy:" + docker.runId());
    String dockerfile = String.join("\n",
        "FROM " + BASE,
        "RUN DEBIAN_FRONTEND=noninteractive apt-get update",
        "RUN DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends python3-numpy",
        "");
    List<String> progress = new CopyOnWriteArrayList<>();

    runtime.ensureImage(new ImageRecipe(tag, BASE, dockerfile), progress::add);

    if (!baseWasThere) {
      assertThat(progress).contains(BOOTSTRAP_MESSAGE);
      assertThat(progress).anySatisfy(line -> assertThat(line).startsWith("I: Retrieving"));
      assertThat(progress).anySatisfy(line -> assertThat(line).startsWith("base image " + BASE + " built locally in"));
    }
    assertThat(progress).contains("Successfully tagged " + tag);
    assertThat(TestImages.imageExists(docker.docker(), BASE)).isTrue();

    List<String> output = runToEnd(spec("numpy", tag,
        List.of("python3", "-c", "import numpy; print(numpy.__version__)")), true);
    assertThat(output).hasSize(1);
    assertThat(output.get(0)).matches("\\d+\\.\\d+\\.\\d+");
  }

  /**
   * apt-get must keep working inside an environment with DCloud's reduced capability set and
   * no-new-privileges. The container uses the host network only because the package mirror is
   * reachable only from there on this machine; everything else is what create() produces.
   */
  @Test
  @Order(2)
  void aptGetWorksWithTheRuntimesCapabilitySet() throws Exception {
    String tag = docker.trackImage("dcloud-test/debian-apt:" + docker.runId());
    runtime.ensureImage(new ImageRecipe(tag, BASE, "FROM " + BASE + "\n"), line -> {});
    String script = String.join(" && ",
        "export DEBIAN_FRONTEND=noninteractive",
        "apt-get update -q",
        // sudo: a setuid-root file; plocate: a setgid file of a group its postinst creates.
        "apt-get install -y -q --no-install-recommends sudo plocate",
        "stat -c 'mode %A %U:%G' /usr/bin/sudo /usr/bin/plocate",
        "su nobody -s /bin/sh -c 'echo user $(id -u)'");

    List<String> output = runToEnd(spec("apt", tag, List.of("sh", "-c", script + " 2>&1")), false);

    assertThat(output).noneSatisfy(line -> assertThat(line).containsAnyOf("Operation not permitted", "E: ", "W: "));
    assertThat(output).contains("mode -rwsr-xr-x root:root", "mode -rwxr-sr-x root:plocate", "user 65534");
  }

  private ContainerSpec spec(String suffix, String image, List<String> command) {
    String name = docker.name(suffix);
    return new ContainerSpec(name, image, command, Map.of(), 0, MEMORY_BYTES, PIDS, List.of(), List.of(), List.of(),
        docker.labels(name, docker.name("node")), null);
  }

  /** Runs the container to its end (exit 0 expected) and returns its log lines. */
  private List<String> runToEnd(ContainerSpec spec, boolean bridgeNetwork) throws Exception {
    String id;
    if (bridgeNetwork) {
      id = runtime.create(spec);
    } else {
      CreateContainerCmd cmd = ContainerSpecs.apply(docker.docker().createContainerCmd(spec.image()), spec,
          runtime.settings().container(), "host", null);
      id = cmd.exec().getId();
    }
    runtime.start(id);
    ContainerInfo done = docker.awaitContainer(id, info -> "exited".equals(info.state()), RUN_TIMEOUT);
    List<String> lines = docker.logLines(id);
    assertThat(done.exitCode()).as("exit code; output:%n%s", String.join("\n", lines)).isZero();
    return lines;
  }
}
