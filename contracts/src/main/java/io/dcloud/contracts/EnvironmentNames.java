package io.dcloud.contracts;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Names that tie engine objects to an environment, shared by the entity (which asks for removal)
 * and the node (which creates them), so both always agree.
 */
public final class EnvironmentNames {
  public static final String ENV_LABEL = "dcloud.env";
  public static final String NODE_LABEL = "dcloud.node";
  public static final String GPU_LABEL = "dcloud.gpus";
  public static final String VOLUME_TARGET_LABEL = "dcloud.volume.target";
  /**
   * The host name every container knows its host by (its network's gateway address): where the
   * node relays the MQTT broker, so an app reaches it without the broker being exposed further.
   */
  public static final String GATEWAY_HOST = "dcloud-gateway";

  private EnvironmentNames() {}

  /**
   * Names carry the node too: nodes sharing one Docker Engine (a cluster on one machine, or a
   * re-placed environment) must never take over each other's containers and volumes.
   */
  public static String containerName(String nodeId, String environmentId) {
    return "dcloud-" + dockerSafe(nodeId) + "-" + environmentId;
  }

  public static String volumeName(String nodeId, String environmentId, int storageIndex) {
    return "dcloud-" + dockerSafe(nodeId) + "-" + environmentId + "-" + storageIndex;
  }

  /**
   * What a volume's name says of where it was made: the node (as {@link #volumeName} wrote its id),
   * the environment, its storage entry. Environment ids are UUIDs, so the name parses from its end.
   */
  public record VolumeOrigin(String nodePart, String environmentId, int storageIndex) {
    public boolean madeBy(String nodeId) {
      return dockerSafe(nodeId).equals(nodePart);
    }
  }

  private static final Pattern VOLUME_NAME = Pattern.compile(
      "dcloud-(.+)-([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})-([0-9]{1,9})");

  /** Empty for a name {@link #volumeName} did not write. */
  public static Optional<VolumeOrigin> volumeOrigin(String volumeName) {
    Matcher matcher = VOLUME_NAME.matcher(volumeName);
    return matcher.matches()
        ? Optional.of(new VolumeOrigin(matcher.group(1), matcher.group(2), Integer.parseInt(matcher.group(3))))
        : Optional.empty();
  }

  /** Docker names allow [a-zA-Z0-9_.-]; a node id (a host name) may hold anything else. */
  private static String dockerSafe(String nodeId) {
    return nodeId.replaceAll("[^a-zA-Z0-9_.-]", "_");
  }
}
