package io.dcloud.scheduler;

/** Whether a node takes new environments, and if not, why. */
public enum NodeAvailability {
  UP,
  CORDONED,
  DRAINING,
  UNREACHABLE,
  DOWN
}
