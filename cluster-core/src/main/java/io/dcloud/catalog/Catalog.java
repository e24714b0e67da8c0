package io.dcloud.catalog;

import io.dcloud.serialization.CborSerializable;
import java.util.List;
import java.util.Map;

/**
 * The admin-owned library catalog (the seeds' "library contract"): per OS a base image and
 * {@code init-steps}; per language {@code installation-steps} and {@code libraries{name: [steps]}}.
 * Users pick names from it; only these admin-written steps ever reach a Dockerfile {@code RUN} line.
 *
 * <p>{@code runAsRoot} is null (false) unless the administrator lets this OS's environments run as
 * root; otherwise they run as the unprivileged uid 1000 ({@link DockerfileGenerator}). It is null
 * in catalogs written before it existed.
 */
public record Catalog(List<OsEntry> entries) implements CborSerializable {

  public record OsEntry(
      String os,
      String baseImage,
      List<String> initSteps,
      Map<String, LanguageEntry> specifications,
      Boolean runAsRoot)
      implements CborSerializable {

    /** Whether containers of this OS keep root as their user (the administrator said so). */
    public boolean rootAllowed() {
      return Boolean.TRUE.equals(runAsRoot);
    }
  }

  public record LanguageEntry(List<String> installationSteps, Map<String, List<String>> libraries)
      implements CborSerializable {}
}
