package io.dcloud.environment;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dcloud.contracts.ImageRecipe;
import io.dcloud.resources.Resources;
import io.dcloud.spec.EnvironmentSpec;
import io.dcloud.spec.EnvironmentSpec.Lifecycle;
import io.dcloud.spec.EnvironmentSpec.PortSpec;
import io.dcloud.spec.EnvironmentSpec.VolumeSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * Exports an environment as Kubernetes objects equivalent to what DCloud runs on Docker, for users
 * who take an environment elsewhere: a one-replica {@code apps/v1 Deployment}, a {@code NodePort}
 * Service for its published ports (none when there are no ports), and one PersistentVolumeClaim per
 * persistent volume. Pure: it renders JSON objects (YAML is a rendering choice of the caller).
 *
 * <p>Variable values are write-only: every variable ({@code env} and {@code secret-env}) is exported
 * by name with {@link EnvironmentSpec#HIDDEN_VALUE}, for the user to fill in (or to point at a
 * Kubernetes Secret) where the manifest is applied.
 */
public final class KubernetesManifest {

  /** Kubernetes' default {@code --service-node-port-range}; a host port outside it is left for Kubernetes to choose. */
  public static final int NODE_PORT_MIN = 30000;

  public static final int NODE_PORT_MAX = 32767;

  /** Object names here must be DNS-1123 labels (Services even DNS-1035 labels): at most 63 characters. */
  static final int MAX_NAME_LENGTH = 63;

  /** Label values share the 63-character limit. */
  static final int MAX_LABEL_VALUE_LENGTH = 63;

  /** How much of the environment id goes into names: unique enough among one user's environments. */
  static final int ID_CHARS_IN_NAME = 8;

  public static final String NAME_LABEL = "app.kubernetes.io/name";
  public static final String ENV_LABEL = "dcloud.env";
  static final String MANAGED_BY_LABEL = "app.kubernetes.io/managed-by";
  static final String CONTAINER_NAME = "env";
  static final String GPU_RESOURCE = "nvidia.com/gpu";

  private KubernetesManifest() {}

  /** The Deployment, then the Service (when ports are published), then the PersistentVolumeClaims. */
  public static List<ObjectNode> render(
      String environmentId, EnvironmentSpec spec, ImageRecipe recipe, ObjectMapper mapper) {
    String name = resourceName(spec.name(), environmentId);
    String envLabel = labelValue(environmentId);
    List<ObjectNode> objects = new ArrayList<>();
    List<ObjectNode> claims = new ArrayList<>();

    ObjectNode deployment = object(mapper, "apps/v1", "Deployment", name, envLabel);
    ObjectNode deploymentSpec = deployment.putObject("spec");
    deploymentSpec.put("replicas", 1);
    deploymentSpec.putObject("selector").putObject("matchLabels").put(ENV_LABEL, envLabel);
    // One replica that may hold a ReadWriteOnce claim: replace the pod rather than run two at once.
    deploymentSpec.putObject("strategy").put("type", "Recreate");
    ObjectNode template = deploymentSpec.putObject("template");
    labels(template.putObject("metadata"), name, envLabel);
    ObjectNode podSpec = template.putObject("spec");
    if (!spec.constraints().isEmpty()) {
      // DCloud's constraints are exact label matches on nodes: Kubernetes' nodeSelector means the same.
      ObjectNode selector = podSpec.putObject("nodeSelector");
      spec.constraints().forEach(selector::put);
    }
    ObjectNode container = podSpec.putArray("containers").addObject();
    container.put("name", CONTAINER_NAME).put("image", recipe.tag()).put("imagePullPolicy", "IfNotPresent");
    if (!spec.command().isEmpty()) {
      // DCloud's command replaces the image's CMD, like `docker run IMAGE CMD...`: that is `args` here.
      spec.command().forEach(container.putArray("args")::add);
    }
    List<String> variables = Stream.concat(spec.env().keySet().stream(), spec.secretEnv().keySet().stream()).toList();
    if (!variables.isEmpty()) {
      ArrayNode env = container.putArray("env");
      variables.forEach(variable -> env.addObject().put("name", variable).put("value", EnvironmentSpec.HIDDEN_VALUE));
    }
    if (!spec.ports().isEmpty()) {
      ArrayNode ports = container.putArray("ports");
      spec.ports().forEach(p -> ports.addObject().put("containerPort", p.containerPort()).put("protocol", protocol(p)));
    }
    resources(container.putObject("resources"), spec.resources());

    if (!spec.storage().isEmpty()) {
      ArrayNode mounts = container.putArray("volumeMounts");
      ArrayNode volumes = podSpec.putArray("volumes");
      for (int i = 0; i < spec.storage().size(); i++) {
        VolumeSpec volume = spec.storage().get(i);
        String volumeName = "vol-" + i;
        mounts.addObject().put("name", volumeName).put("mountPath", volume.target());
        ObjectNode podVolume = volumes.addObject().put("name", volumeName);
        if (volume.lifecycle() == Lifecycle.PERSISTENT) {
          String claimName = name + "-" + volumeName;
          podVolume.putObject("persistentVolumeClaim").put("claimName", claimName);
          claims.add(claim(mapper, claimName, envLabel, name, volume));
        } else {
          podVolume.putObject("emptyDir").put("sizeLimit", Long.toString(volume.sizeBytes()));
        }
      }
    }
    objects.add(deployment);
    if (!spec.ports().isEmpty()) {
      objects.add(service(mapper, name, envLabel, spec.ports()));
    }
    objects.addAll(claims);
    return List.copyOf(objects);
  }

  /**
   * A DNS-1035 label (valid for every object kind here): the lowercased env-name with anything else
   * turned into '-', then the first characters of the id, e.g. {@code fjasldf-3f2a9c1d}.
   */
  public static String resourceName(String envName, String environmentId) {
    String id = environmentId.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]", "");
    id = id.substring(0, Math.min(id.length(), ID_CHARS_IN_NAME));
    String base = envName.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-").replaceAll("^-+|-+$", "");
    // Service names must start with a letter; an env-name may start with a digit.
    if (base.isEmpty() || !Character.isLetter(base.charAt(0))) {
      base = base.isEmpty() ? "env" : "env-" + base;
    }
    int room = MAX_NAME_LENGTH - (id.isEmpty() ? 0 : id.length() + 1);
    base = base.substring(0, Math.min(base.length(), room)).replaceAll("-+$", "");
    return id.isEmpty() ? base : base + "-" + id;
  }

  /** A valid label value: alphanumerics with '-', '_' or '.' inside, at most 63 characters. */
  static String labelValue(String text) {
    String value = text.replaceAll("[^A-Za-z0-9_.-]", "-");
    value = value.substring(0, Math.min(value.length(), MAX_LABEL_VALUE_LENGTH));
    return value.replaceAll("^[^A-Za-z0-9]+|[^A-Za-z0-9]+$", "");
  }

  private static ObjectNode object(ObjectMapper mapper, String apiVersion, String kind, String name, String envLabel) {
    ObjectNode object = mapper.createObjectNode().put("apiVersion", apiVersion).put("kind", kind);
    labels(object.putObject("metadata").put("name", name), name, envLabel);
    return object;
  }

  private static void labels(ObjectNode metadata, String name, String envLabel) {
    metadata.putObject("labels").put(NAME_LABEL, name).put(ENV_LABEL, envLabel).put(MANAGED_BY_LABEL, "dcloud");
  }

  /**
   * Requests equal limits, as DCloud reserves exactly what it limits the container to (and as
   * Kubernetes requires for GPUs). CPU in millicores, sizes in bytes.
   */
  private static void resources(ObjectNode resources, Resources r) {
    ObjectNode limits = resources.putObject("limits");
    limits.put("cpu", r.milliCpus() + "m");
    limits.put("memory", Long.toString(r.memoryBytes()));
    if (r.storageBytes() > 0) {
      limits.put("ephemeral-storage", Long.toString(r.storageBytes()));
    }
    if (r.gpus() > 0) {
      // A GPU model has no portable Kubernetes spelling (it depends on the cluster's node labels): not exported.
      limits.put(GPU_RESOURCE, Integer.toString(r.gpus()));
    }
    resources.set("requests", limits.deepCopy());
  }

  private static ObjectNode service(ObjectMapper mapper, String name, String envLabel, List<PortSpec> ports) {
    ObjectNode service = object(mapper, "v1", "Service", name, envLabel);
    ObjectNode spec = service.putObject("spec").put("type", "NodePort");
    spec.putObject("selector").put(ENV_LABEL, envLabel);
    ArrayNode servicePorts = spec.putArray("ports");
    for (PortSpec port : ports) {
      ObjectNode entry = servicePorts.addObject()
          // Names are required once a Service has several ports; "tcp-9000" is unique per protocol and port.
          .put("name", port.protocol() + "-" + port.containerPort())
          .put("protocol", protocol(port))
          .put("port", port.containerPort())
          .put("targetPort", port.containerPort());
      Integer host = port.hostPort();
      if (host != null && host >= NODE_PORT_MIN && host <= NODE_PORT_MAX) {
        entry.put("nodePort", host);
      }
    }
    return service;
  }

  private static ObjectNode claim(
      ObjectMapper mapper, String claimName, String envLabel, String name, VolumeSpec volume) {
    ObjectNode claim = object(mapper, "v1", "PersistentVolumeClaim", claimName, envLabel);
    // The name label groups the claim with its environment's other objects.
    ((ObjectNode) claim.get("metadata").get("labels")).put(NAME_LABEL, name);
    ObjectNode spec = claim.putObject("spec");
    spec.putArray("accessModes").add("ReadWriteOnce");
    spec.putObject("resources").putObject("requests").put("storage", Long.toString(volume.sizeBytes()));
    return claim;
  }

  private static String protocol(PortSpec port) {
    return port.protocol().toUpperCase(Locale.ROOT);
  }
}
