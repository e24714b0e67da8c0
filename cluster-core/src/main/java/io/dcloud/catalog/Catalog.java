package io.dcloud.catalog;

import io.dcloud.serialization.CborSerializable;
import java.util.List;
import java.util.Map;

/**
 * The admin-owned library catalog (the seeds' "library contract"): per OS a base image and
 * {@code init-steps}; per language {@code installation-steps} and {@code libraries{name: [steps]}}.
 * Users pick names from it; only these admin-written steps ever reach a Dockerfile {@code RUN} line.
 */
public record Catalog(List<OsEntry> entries) implements CborSerializable {

  public record OsEntry(
      String os, String baseImage, List<String> initSteps, Map<String, LanguageEntry> specifications)
      implements CborSerializable {}

  public record LanguageEntry(List<String> installationSteps, Map<String, List<String>> libraries)
      implements CborSerializable {}
}
