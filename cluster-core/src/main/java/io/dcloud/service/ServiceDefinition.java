package io.dcloud.service;

import io.dcloud.contracts.ImageRecipe;
import io.dcloud.serialization.CborSerializable;
import io.dcloud.spec.EnvironmentSpec;

/**
 * What a service was asked to be: every replica is an environment of {@code spec} (its name set per
 * replica) built from {@code recipe}, serving on container {@code port}, ready when {@code readiness}
 * answers 2xx. The gateway validates and resolves it (catalog, datasets) before the entity sees it,
 * so the entity never builds anything a user could not have created directly.
 */
public record ServiceDefinition(
    String name, Kind kind, EnvironmentSpec spec, ImageRecipe recipe, int port, Readiness readiness, int replicas)
    implements CborSerializable {

  /** Models are served by DCloud's wrapper; apps bring their own server. */
  public enum Kind {
    APP,
    MODEL
  }

  /** The HTTP path the node probes on the replica's port. */
  public record Readiness(String path) implements CborSerializable {}
}
