package io.dcloud.environment;

/**
 * Names that tie engine objects to an environment, shared by the entity (which asks for removal)
 * and the node (which creates them), so both always agree.
 */
public final class EnvironmentNames {
  public static final String ENV_LABEL = "dcloud.env";
  public static final String NODE_LABEL = "dcloud.node";
  public static final String GPU_LABEL = "dcloud.gpus";
  public static final String VOLUME_TARGET_LABEL = "dcloud.volume.target";

  private EnvironmentNames() {}

  public static String containerName(String environmentId) {
    return "dcloud-" + environmentId;
  }

  public static String volumeName(String environmentId, int storageIndex) {
    return "dcloud-" + environmentId + "-" + storageIndex;
  }
}
