package io.dcloud.template;

import com.fasterxml.jackson.databind.JsonNode;
import io.dcloud.serialization.CborSerializable;

/**
 * A named environment config (the seeds' "templates config"). {@code spec} stays in contract form,
 * not a parsed {@code EnvironmentSpec}: a template is instantiated by merging a user's overrides
 * into it ({@link TemplateMerge}) and only the result is parsed, so a template may leave out what
 * every user must give. {@code owner} is the user who saved it, null for the platform's own.
 */
public record Template(String name, String description, JsonNode spec, String owner) implements CborSerializable {
  /** A template of the platform's (built in, or saved before templates had owners): {@code owner} null. */
  public Template(String name, String description, JsonNode spec) {
    this(name, description, spec, null);
  }

  public boolean builtIn() {
    return owner == null;
  }
}
