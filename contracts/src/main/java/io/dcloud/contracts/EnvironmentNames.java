package io.dcloud.contracts;

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

  /** Docker names allow [a-zA-Z0-9_.-]; a node id (a host name) may hold anything else. */
  private static String dockerSafe(String nodeId) {
    return nodeId.replaceAll("[^a-zA-Z0-9_.-]", "_");
  }
}
