package io.dcloud.catalog;

import io.dcloud.catalog.Catalog.LanguageEntry;
import io.dcloud.catalog.Catalog.OsEntry;
import io.dcloud.contract.ContractReader;
import io.dcloud.spec.EnvironmentSpec;
import io.dcloud.spec.EnvironmentSpec.LanguageSpec;
import io.dcloud.spec.EnvironmentSpec.OsRelease;
import io.dcloud.validation.FieldError;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Checks an environment's choices against the catalog: the OS, its version and tags, the languages
 * and their libraries. The environment parser cannot: the catalog changes while the service runs.
 */
public final class CatalogCheck {

  private CatalogCheck() {}

  /**
   * What in {@code spec} the catalog does not offer: an unknown OS (the reason lists the known
   * ones), an OS version or tags other than its base image's tag, an unknown language for that OS,
   * or an unknown library of a language. Empty when the catalog can build the environment.
   */
  public static List<FieldError> check(Catalog catalog, EnvironmentSpec spec) {
    Optional<OsEntry> os = findOs(catalog, spec.os());
    if (os.isEmpty()) {
      List<String> known = catalog.entries().stream().map(OsEntry::os).sorted().toList();
      return List.of(new FieldError("os", quote(spec.os()) + " is not in the catalog: " + known("OSes", known)));
    }
    List<FieldError> errors = new ArrayList<>(releaseMismatches(os.get(), spec.osRelease()));
    Map<String, LanguageEntry> languages = os.get().specifications();
    for (int i = 0; i < spec.languages().size(); i++) {
      LanguageSpec language = spec.languages().get(i);
      LanguageEntry entry = languages.get(language.name());
      if (entry == null) {
        errors.add(new FieldError("languages[" + i + "].language-name",
            quote(language.name()) + " is not available on " + spec.os() + ": "
                + known("languages", languages.keySet().stream().sorted().toList())));
        continue;
      }
      for (int j = 0; j < language.libraries().size(); j++) {
        String library = language.libraries().get(j);
        if (!entry.libraries().containsKey(library)) {
          errors.add(new FieldError("languages[" + i + "].libraries[" + j + "]",
              quote(library) + " is not a " + language.name() + " library in the catalog: "
                  + known("libraries", entry.libraries().keySet().stream().sorted().toList())));
        }
      }
    }
    return List.copyOf(errors);
  }

  /**
   * The environment is built from the catalog's base image whatever the config says, so a version
   * or tags naming another image would be silently ignored: refused instead. A base image without a
   * tag (or pinned by digest alone) names no version to disagree with.
   */
  private static List<FieldError> releaseMismatches(OsEntry os, OsRelease release) {
    Optional<String> tag = tagOf(os.baseImage());
    if (release == null || tag.isEmpty()) {
      return List.of();
    }
    List<FieldError> errors = new ArrayList<>();
    mismatch("os.version", release.version(), os, tag.get()).ifPresent(errors::add);
    mismatch("os.tags", release.tags(), os, tag.get()).ifPresent(errors::add);
    return errors;
  }

  private static Optional<FieldError> mismatch(String field, String asked, OsEntry os, String tag) {
    if (asked == null || asked.equals(tag)) {
      return Optional.empty();
    }
    return Optional.of(new FieldError(field, quote(asked) + " does not match the catalog's " + os.os() + " image "
        + os.baseImage() + ": use " + tag + " or leave it out"));
  }

  /** The tag of an image reference ({@code 22.04} of {@code ubuntu:22.04}), if it has one. */
  static Optional<String> tagOf(String imageReference) {
    String withoutDigest = imageReference.split("@", 2)[0];
    String lastComponent = withoutDigest.substring(withoutDigest.lastIndexOf('/') + 1);
    int colon = lastComponent.indexOf(':');
    return colon < 0 ? Optional.empty() : Optional.of(lastComponent.substring(colon + 1));
  }

  static Optional<OsEntry> findOs(Catalog catalog, String os) {
    return catalog.entries().stream().filter(e -> e.os().equals(os)).findFirst();
  }

  private static String known(String what, List<String> names) {
    return names.isEmpty() ? "none are offered" : "known " + what + " are " + String.join(", ", names);
  }

  /** User text quoted in a reason, as long as a catalog name may be. */
  private static String quote(String text) {
    return ContractReader.quote(text, CatalogParser.MAX_NAME_LENGTH);
  }
}
