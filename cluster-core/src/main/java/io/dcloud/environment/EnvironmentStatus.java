package io.dcloud.environment;

/** Where an environment is in its life, as its entity records it (see docs/ARCHITECTURE.md for the table). */
public enum EnvironmentStatus {
  REQUESTED,
  QUEUED,
  PLACED,
  /** The node is fetching the environment's datasets into its cache (only those it does not hold yet). */
  PREPARING,
  BUILDING,
  STARTING,
  RUNNING,
  STOPPING,
  STOPPED,
  FAILED,
  LOST,
  DELETED
}
