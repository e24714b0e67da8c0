package io.dcloud.catalog;

import static io.dcloud.contract.ContractReader.absent;
import static io.dcloud.contract.ContractReader.at;
import static io.dcloud.contract.ContractReader.kindOf;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dcloud.catalog.Catalog.LanguageEntry;
import io.dcloud.catalog.Catalog.OsEntry;
import io.dcloud.contract.ContractReader;
import io.dcloud.validation.ValidationException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Reads and writes the seeds' library contract — the admin-owned catalog; {@link CatalogCheck}
 * checks an environment's choices against it.
 *
 * <p>The contract is a JSON array of OS documents:
 *
 * <pre>{@code
 * [{"os": "debian", "base-image": "debian:bookworm", "init-steps": ["apt-get update"],
 *   "specifications": {"python": {"installation-steps": ["..."], "libraries": {"numpy": ["..."]}}}}]
 * }</pre>
 *
 * An OS may say {@code "run-as-root": true} (default false): its containers then run as root
 * instead of the unprivileged uid 1000, for tools that cannot work otherwise.
 *
 * Steps are shell written by an administrator and become one Dockerfile {@code RUN} line each, so
 * each must be a single line: a newline would start a new Dockerfile instruction.
 */
public final class CatalogParser {

  /** OS names become part of image names ({@code dcloud/env-<os>}), so Docker's lowercase rules apply. */
  private static final Pattern OS_NAME = Pattern.compile("[a-z0-9][a-z0-9._-]*");

  /** Language and library names as package ecosystems spell them: "node-js", "scikit-learn", "c++". */
  private static final Pattern ITEM_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.+-]*");

  /** Names are identifiers that end up in image comments and error messages: keep them short. */
  public static final int MAX_NAME_LENGTH = 128;

  /** Docker's limit on the name part of an image reference. */
  private static final int MAX_IMAGE_NAME_LENGTH = 255;

  /**
   * Docker's image reference grammar (distribution/reference): optional registry host[:port], then
   * lowercase path components separated by '/', then an optional tag and an optional digest.
   */
  private static final String DOMAIN_COMPONENT = "(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])";
  private static final String DOMAIN = DOMAIN_COMPONENT + "(?:\\." + DOMAIN_COMPONENT + ")*(?::[0-9]+)?";
  private static final String PATH_COMPONENT = "[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*";
  private static final String IMAGE_NAME = "(?:" + DOMAIN + "/)?" + PATH_COMPONENT + "(?:/" + PATH_COMPONENT + ")*";
  private static final Pattern IMAGE_REFERENCE =
      Pattern.compile(
          "(" + IMAGE_NAME + ")"
              + "(?::[\\w][\\w.-]{0,127})?"
              + "(?:@[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,})?");

  /** The repository DockerfileGenerator tags images with; every OS name must make a valid one. */
  static final String IMAGE_REPOSITORY_PREFIX = "dcloud/env-";

  private static final String OS = "os";
  private static final String BASE_IMAGE = "base-image";
  private static final String INIT_STEPS = "init-steps";
  private static final String SPECIFICATIONS = "specifications";
  private static final String INSTALLATION_STEPS = "installation-steps";
  private static final String LIBRARIES = "libraries";
  private static final String RUN_AS_ROOT = "run-as-root";
  private static final List<String> OS_FIELDS = List.of(OS, BASE_IMAGE, INIT_STEPS, SPECIFICATIONS, RUN_AS_ROOT);
  private static final List<String> LANGUAGE_FIELDS = List.of(INSTALLATION_STEPS, LIBRARIES);

  private CatalogParser() {}

  /**
   * Parses the library contract.
   *
   * @throws ValidationException listing every problem, each field named like
   *     {@code [1].specifications.python.libraries.numpy[0]}
   */
  public static Catalog parse(JsonNode root) {
    if (root == null || !root.isArray()) {
      throw ValidationException.of("$", "must be a JSON array of OS documents, not " + kindOf(root));
    }
    Reader in = new Reader();
    List<OsEntry> entries = new ArrayList<>();
    Map<String, String> osSeen = new HashMap<>();
    for (int i = 0; i < root.size(); i++) {
      OsEntry entry = in.osEntry(at(ContractReader.ROOT, i), root.get(i), osSeen);
      if (entry != null) {
        entries.add(entry);
      }
    }
    in.throwIfAny();
    return new Catalog(List.copyOf(entries));
  }

  /** Writes the catalog back in contract form; {@code parse(toContract(c))} equals {@code c}. */
  public static ArrayNode toContract(Catalog catalog, ObjectMapper mapper) {
    ArrayNode root = mapper.createArrayNode();
    for (OsEntry entry : catalog.entries()) {
      ObjectNode os = root.addObject().put(OS, entry.os()).put(BASE_IMAGE, entry.baseImage());
      if (entry.rootAllowed()) {
        os.put(RUN_AS_ROOT, true);
      }
      entry.initSteps().forEach(os.putArray(INIT_STEPS)::add);
      ObjectNode specifications = os.putObject(SPECIFICATIONS);
      entry.specifications().forEach((name, language) -> {
        ObjectNode node = specifications.putObject(name);
        language.installationSteps().forEach(node.putArray(INSTALLATION_STEPS)::add);
        ObjectNode libraries = node.putObject(LIBRARIES);
        language.libraries().forEach((library, steps) -> steps.forEach(libraries.putArray(library)::add));
      });
    }
    return root;
  }

  /** True when {@code reference} is a valid Docker image reference such as {@code debian:bookworm}. */
  static boolean isImageReference(String reference) {
    var m = IMAGE_REFERENCE.matcher(reference);
    return m.matches() && m.group(1).length() <= MAX_IMAGE_NAME_LENGTH;
  }

  /** User text is quoted in reasons, shortened so a long typo keeps the message readable. */
  private static String quoteName(String text) {
    return ContractReader.quote(text, MAX_NAME_LENGTH);
  }

  /** One parse: the errors found so far and a reader per contract element. */
  private static final class Reader extends ContractReader {

    OsEntry osEntry(String field, JsonNode value, Map<String, String> osSeen) {
      if (!value.isObject()) {
        error(field, "must be an object describing one OS, not " + kindOf(value));
        return null;
      }
      refuseUnknownDocumentFields(field, value, OS_FIELDS);
      String osField = at(field, OS);
      String os = name(osField, value.get(OS), OS_NAME, "lowercase letters, digits, '.', '_' and '-'");
      if (os != null && !isImageReference(IMAGE_REPOSITORY_PREFIX + os)) {
        error(osField, quoteName(os) + " cannot be used in the image name " + IMAGE_REPOSITORY_PREFIX + os
            + ": end it with a letter or digit and do not repeat '.'");
        os = null;
      }
      if (os != null && osSeen.putIfAbsent(os, field) != null) {
        error(osField, quoteName(os) + " is already described at " + osSeen.get(os));
        os = null;
      }
      String baseImage = baseImage(at(field, BASE_IMAGE), value.get(BASE_IMAGE));
      List<String> initSteps = steps(at(field, INIT_STEPS), value.get(INIT_STEPS), false);
      Map<String, LanguageEntry> specifications = specifications(at(field, SPECIFICATIONS), value.get(SPECIFICATIONS));
      Boolean runAsRoot = runAsRoot(at(field, RUN_AS_ROOT), value.get(RUN_AS_ROOT));
      if (os == null || baseImage == null || initSteps == null || specifications == null || runAsRoot == null) {
        return null;
      }
      // Stored as null when false: the catalog's wire form is unchanged for every OS that keeps the default.
      return new OsEntry(os, baseImage, initSteps, specifications, runAsRoot ? Boolean.TRUE : null);
    }

    /** Absent means false; anything but a JSON boolean is refused (a string "true" is a typo to report). */
    Boolean runAsRoot(String field, JsonNode value) {
      if (absent(value)) {
        return false;
      }
      if (!value.isBoolean()) {
        error(field, "must be true or false, not " + kindOf(value));
        return null;
      }
      return value.booleanValue();
    }

    String name(String field, JsonNode value, Pattern pattern, String allowed) {
      if (absent(value)) {
        error(field, "is required");
        return null;
      }
      String text = text(field, value);
      return text == null ? null : checkedName(field, text, pattern, allowed);
    }

    String checkedName(String field, String name, Pattern pattern, String allowed) {
      if (name.length() > MAX_NAME_LENGTH) {
        error(field, "is " + name.length() + " characters long: use at most " + MAX_NAME_LENGTH);
        return null;
      }
      if (!pattern.matcher(name).matches()) {
        error(field, quoteName(name) + " is not a valid name: use " + allowed + ", starting with a letter or digit");
        return null;
      }
      return name;
    }

    String baseImage(String field, JsonNode value) {
      if (absent(value)) {
        error(field, "is required: give a Docker image such as debian:bookworm");
        return null;
      }
      if (!value.isTextual()) {
        error(field, "must be a string, not " + kindOf(value));
        return null;
      }
      String image = value.textValue();
      if (!isImageReference(image)) {
        error(field, quoteName(image) + " is not a Docker image reference: use e.g. debian:bookworm or"
            + " registry.example.com/team/image:1.0");
        return null;
      }
      return image;
    }

    /** A list of single-line shell steps; {@code required} lists may not be missing. */
    List<String> steps(String field, JsonNode value, boolean required) {
      if (absent(value)) {
        if (required) {
          error(field, "is required: give a list of shell steps (it may be empty)");
          return null;
        }
        return List.of();
      }
      if (!value.isArray()) {
        error(field, "must be an array of shell steps, not " + kindOf(value));
        return null;
      }
      List<String> steps = new ArrayList<>();
      boolean ok = true;
      for (int i = 0; i < value.size(); i++) {
        String step = step(at(field, i), value.get(i));
        ok &= step != null;
        steps.add(step);
      }
      return ok ? List.copyOf(steps) : null;
    }

    /**
     * A non-blank, single-line step: a line break would end the RUN instruction and start another
     * Dockerfile instruction, so none may hide in a step.
     */
    String step(String field, JsonNode value) {
      if (!value.isTextual()) {
        error(field, "must be a string holding one shell command, not " + kindOf(value));
        return null;
      }
      String step = value.textValue();
      if (step.isBlank()) {
        error(field, "must not be blank");
        return null;
      }
      if (step.chars().anyMatch(c -> Character.isISOControl(c) && c != '\t')) {
        error(field, "must be a single line: no line breaks or other control characters (join commands"
            + " with &&)");
        return null;
      }
      return step;
    }

    Map<String, LanguageEntry> specifications(String field, JsonNode value) {
      if (absent(value)) {
        return Map.of();
      }
      if (!value.isObject()) {
        error(field, "must be an object of language names to their steps and libraries, not " + kindOf(value));
        return null;
      }
      Map<String, LanguageEntry> languages = new LinkedHashMap<>();
      boolean ok = true;
      for (Map.Entry<String, JsonNode> property : value.properties()) {
        String languageField = at(field, property.getKey());
        String name = checkedName(languageField, property.getKey(), ITEM_NAME, "letters, digits, '_', '.', '+'"
            + " and '-'");
        LanguageEntry language = language(languageField, property.getValue());
        ok &= name != null && language != null;
        if (name != null && language != null) {
          languages.put(name, language);
        }
      }
      return ok ? Collections.unmodifiableMap(languages) : null;
    }

    LanguageEntry language(String field, JsonNode value) {
      if (!value.isObject()) {
        error(field, "must be an object with installation-steps and libraries, not " + kindOf(value));
        return null;
      }
      refuseUnknownFields(field, value, LANGUAGE_FIELDS);
      List<String> installation = steps(at(field, INSTALLATION_STEPS), value.get(INSTALLATION_STEPS), false);
      Map<String, List<String>> libraries = libraries(at(field, LIBRARIES), value.get(LIBRARIES));
      if (installation == null || libraries == null) {
        return null;
      }
      return new LanguageEntry(installation, libraries);
    }

    Map<String, List<String>> libraries(String field, JsonNode value) {
      if (absent(value)) {
        return Map.of();
      }
      if (!value.isObject()) {
        error(field, "must be an object of library names to their steps, not " + kindOf(value));
        return null;
      }
      Map<String, List<String>> libraries = new LinkedHashMap<>();
      boolean ok = true;
      for (Map.Entry<String, JsonNode> property : value.properties()) {
        String libraryField = at(field, property.getKey());
        String name = checkedName(libraryField, property.getKey(), ITEM_NAME, "letters, digits, '_', '.', '+'"
            + " and '-'");
        List<String> steps = steps(libraryField, property.getValue(), true);
        ok &= name != null && steps != null;
        if (name != null && steps != null) {
          libraries.put(name, steps);
        }
      }
      return ok ? Collections.unmodifiableMap(libraries) : null;
    }
  }
}
