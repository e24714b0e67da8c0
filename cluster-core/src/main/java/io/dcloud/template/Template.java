package io.dcloud.template;

import com.fasterxml.jackson.databind.JsonNode;
import io.dcloud.serialization.CborSerializable;

/**
 * A named environment config (the seeds' "templates config"). {@code spec} stays in contract form,
 * not a parsed {@code EnvironmentSpec}: a template is instantiated by merging a user's overrides
 * into it ({@link TemplateMerge}) and only the result is parsed, so a template may leave out what
 * every user must give.
 */
public record Template(String name, String description, JsonNode spec) implements CborSerializable {}
