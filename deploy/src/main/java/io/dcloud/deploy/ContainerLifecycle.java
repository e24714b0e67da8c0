package io.dcloud.deploy;

import static io.dcloud.deploy.DockerRuntime.shortId;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.api.exception.ConflictException;
import com.github.dockerjava.api.exception.DockerException;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.exception.NotModifiedException;
import io.dcloud.contracts.EnvironmentNames;
import io.dcloud.deploy.ContainerRuntime.ContainerSpec;
import io.dcloud.deploy.ContainerRuntime.VolumeMount;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The life cycle of {@link DockerRuntime}'s containers: creating (or adopting) them with their
 * volumes on their tenant's network, starting, stopping and removing them. Each engine call has a
 * DCloud deadline and fails with a {@link RuntimeFailure} that says what to do.
 */
final class ContainerLifecycle {

  private static final Logger log = LoggerFactory.getLogger(ContainerLifecycle.class);

  private static final String NO_GPU_DRIVER = "could not select device driver";

  private final DockerSettings settings;
  private final DaemonCalls calls;
  private final EngineConnection engine;
  private final TenantNetworks networks;

  ContainerLifecycle(DockerSettings settings, DaemonCalls calls, EngineConnection engine, TenantNetworks networks) {
    this.settings = settings;
    this.calls = calls;
    this.engine = engine;
    this.networks = networks;
  }

  String create(ContainerSpec spec) {
    spec.volumes().forEach(volume -> {
      if (volume.kept()) {
        checkKept(volume, spec);
      } else {
        createVolume(volume, spec.labels());
      }
    });
    String network = networks.ensure(spec.tenant());
    String gateway = networks.gateway(network).orElse(null);
    return calls.call("creating container " + spec.name(), settings.startTimeout(), () -> createOrAdopt(spec, network, gateway));
  }

  private String createOrAdopt(ContainerSpec spec, String network, String gateway) {
    DockerClient client = engine.client();
    try {
      String id = ContainerSpecs.apply(client.createContainerCmd(spec.image()), spec, settings.container(), network, gateway)
          .exec().getId();
      log.info(
          "created container {} ({}) from {} on network {}: nanoCpus={} memory={} pids={} gpus={} ports={} volumes={}",
          spec.name(), shortId(id), spec.image(), network, spec.nanoCpus(), spec.memoryBytes(), spec.pidsLimit(),
          spec.gpuUuids(), spec.ports(), spec.volumes());
      return id;
    } catch (ConflictException nameTaken) {
      return adoptExisting(client, spec, nameTaken);
    } catch (NotFoundException noImage) {
      throw new RuntimeFailure("creating container " + spec.name() + " failed: image " + spec.image()
          + " is not on this machine (" + DaemonCalls.engineMessage(noImage) + "); build it with ensureImage first", noImage);
    }
  }

  /**
   * A retried deploy finds its own container already created: reuse it when it belongs to the
   * same environment on the same node, refuse when the name is held by something else.
   */
  private String adoptExisting(DockerClient client, ContainerSpec spec, ConflictException conflict) {
    InspectContainerResponse existing;
    try {
      existing = client.inspectContainerCmd(spec.name()).exec();
    } catch (NotFoundException goneMeanwhile) {
      throw new RuntimeFailure("creating container " + spec.name() + " failed: " + DaemonCalls.engineMessage(conflict), conflict);
    }
    Map<String, String> labels = existing.getConfig() == null ? null : existing.getConfig().getLabels();
    String env = spec.labels().get(EnvironmentNames.ENV_LABEL);
    String node = spec.labels().get(EnvironmentNames.NODE_LABEL);
    if (env != null && labels != null && env.equals(labels.get(EnvironmentNames.ENV_LABEL))
        && Objects.equals(node, labels.get(EnvironmentNames.NODE_LABEL))) {
      log.info("container {} already exists for environment {}: reusing {}", spec.name(), env, shortId(existing.getId()));
      return existing.getId();
    }
    throw new RuntimeFailure("cannot create container " + spec.name() + ": a container with that name already exists and "
        + "does not belong to environment " + env + "; remove it with `docker rm -f " + spec.name() + "`", conflict);
  }

  /** Labelled as its container, and with where it is mounted: what an operator reads once the container is gone. */
  private void createVolume(VolumeMount volume, Map<String, String> containerLabels) {
    Map<String, String> labels = new HashMap<>(containerLabels);
    labels.put(EnvironmentNames.VOLUME_TARGET_LABEL, volume.target());
    calls.run("creating volume " + volume.volumeName(), settings.callTimeout(), () ->
        engine.client().createVolumeCmd().withName(volume.volumeName()).withLabels(labels).exec());
    log.debug("volume {} ready", volume.volumeName());
  }

  /**
   * A kept volume is mounted only as it is: the engine would make an empty one of a missing name,
   * and two containers writing one volume's files would corrupt each other's data.
   */
  private void checkKept(VolumeMount volume, ContainerSpec spec) {
    String name = volume.volumeName();
    String node = spec.labels().get(EnvironmentNames.NODE_LABEL);
    calls.run("checking kept volume " + name, settings.callTimeout(), () -> {
      Map<String, String> labels;
      try {
        labels = engine.client().inspectVolumeCmd(name).exec().getLabels();
      } catch (NotFoundException missing) {
        throw new RuntimeFailure("kept volume " + name + " is not on this machine (node " + node + ")", missing);
      }
      if (labels == null || !Objects.equals(node, labels.get(EnvironmentNames.NODE_LABEL))) {
        throw new RuntimeFailure("volume " + name + " was not made by node " + node + ": only a volume an environment "
            + "left on this node is mounted as kept");
      }
      engine.client().listContainersCmd().withShowAll(true).withVolumeFilter(List.of(name)).exec().stream()
          .map(container -> container.getNames() == null || container.getNames().length == 0
              ? container.getId() : ContainerSpecs.stripSlash(container.getNames()[0]))
          .filter(other -> !other.equals(spec.name()))
          .findFirst()
          .ifPresent(other -> {
            throw new RuntimeFailure("kept volume " + name + " is mounted by container " + other);
          });
    });
  }

  void start(String containerId) {
    calls.run("starting container " + shortId(containerId), settings.startTimeout(), () -> {
      try {
        engine.client().startContainerCmd(containerId).exec();
      } catch (NotModifiedException alreadyRunning) {
        log.debug("container {} was already running", shortId(containerId));
      } catch (NotFoundException e) {
        throw new RuntimeFailure("starting container " + shortId(containerId) + " failed: it does not exist", e);
      } catch (DockerException e) {
        throw startFailure(containerId, e);
      }
    });
    log.info("started container {}", shortId(containerId));
  }

  private RuntimeFailure startFailure(String containerId, DockerException e) {
    String message = DaemonCalls.engineMessage(e);
    if (message.contains(NO_GPU_DRIVER)) {
      return new RuntimeFailure("starting container " + shortId(containerId) + " failed: it asks for GPUs but this "
          + "machine's Docker Engine has no NVIDIA runtime (" + message + "); install the NVIDIA Container Toolkit "
          + "or place the environment on a GPU node", e);
    }
    return new RuntimeFailure("starting container " + shortId(containerId) + " failed: " + message, e);
  }

  void updateLimits(String containerId, long nanoCpus, long memoryBytes) {
    calls.run("updating the limits of container " + shortId(containerId), settings.callTimeout(), () -> {
      try {
        // Memory and swap together: the engine refuses a memory limit above the swap limit it has.
        engine.client().updateContainerCmd(containerId).withNanoCPUs(nanoCpus).withMemory(memoryBytes)
            .withMemorySwap(memoryBytes).exec();
      } catch (NotFoundException e) {
        throw new RuntimeFailure("updating the limits of container " + shortId(containerId) + " failed: it does not exist", e);
      }
    });
    log.info("container {} now has {} CPUs and {} bytes of memory", shortId(containerId), nanoCpus / 1e9, memoryBytes);
  }

  void stop(String containerId, Duration grace) {
    Duration g = grace == null ? settings.stopGraceDefault() : grace;
    int seconds = (int) Math.max(0, (g.toMillis() + 999) / 1000);
    // The engine waits the whole grace period before SIGKILL: the deadline must outlast it.
    calls.run("stopping container " + shortId(containerId), g.plus(settings.callTimeout()), () -> {
      try {
        engine.client().stopContainerCmd(containerId).withTimeout(seconds).exec();
        log.info("stopped container {}", shortId(containerId));
      } catch (NotModifiedException alreadyStopped) {
        log.debug("container {} was already stopped", shortId(containerId));
      } catch (NotFoundException missing) {
        log.debug("container {} to stop does not exist", shortId(containerId));
      }
    });
  }

  void remove(String containerId, List<String> volumesToRemove) {
    calls.run("removing container " + shortId(containerId), settings.callTimeout(), () -> {
      try {
        // Force: a running container is killed first. removeVolumes: anonymous volumes only.
        engine.client().removeContainerCmd(containerId).withForce(true).withRemoveVolumes(true).exec();
        log.info("removed container {}", shortId(containerId));
      } catch (NotFoundException missing) {
        log.debug("container {} to remove does not exist", shortId(containerId));
      }
    });
    volumesToRemove.forEach(this::removeVolume);
  }

  private void removeVolume(String name) {
    calls.run("removing volume " + name, settings.callTimeout(), () -> {
      try {
        engine.client().removeVolumeCmd(name).exec();
        log.info("removed volume {}", name);
      } catch (NotFoundException missing) {
        log.debug("volume {} to remove does not exist", name);
      } catch (ConflictException inUse) {
        throw new RuntimeFailure("removing volume " + name + " failed: another container still uses it ("
            + DaemonCalls.engineMessage(inUse) + ")", inUse);
      }
    });
  }
}
