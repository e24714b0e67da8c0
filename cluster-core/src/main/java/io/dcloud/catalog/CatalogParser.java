package io.dcloud.catalog;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dcloud.catalog.Catalog.LanguageEntry;
import io.dcloud.catalog.Catalog.OsEntry;
import io.dcloud.environment.EnvironmentSpec;
import io.dcloud.environment.EnvironmentSpec.LanguageSpec;
import io.dcloud.environment.EnvironmentSpecParser;
import io.dcloud.validation.FieldError;
import io.dcloud.validation.ValidationException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Reads and writes the seeds' library contract — the admin-owned catalog — and checks an
 * environment's choices against it.
 *
 * <p>The contract is a JSON array of OS documents:
 *
 * <pre>{@code
 * [{"os": "debian", "base-image": "debian:bookworm", "init-steps": ["apt-get update"],
 *   "specifications": {"python": {"installation-steps": ["..."], "libraries": {"numpy": ["..."]}}}}]
 * }</pre>
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
  private static final List<String> OS_FIELDS = List.of(OS, BASE_IMAGE, INIT_STEPS, SPECIFICATIONS);
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
      OsEntry entry = in.osEntry("[" + i + "]", root.get(i), osSeen);
      if (entry != null) {
        entries.add(entry);
      }
    }
    if (!in.errors.isEmpty()) {
      throw new ValidationException(in.errors);
    }
    return new Catalog(List.copyOf(entries));
  }

  /** Writes the catalog back in contract form; {@code parse(toContract(c))} equals {@code c}. */
  public static ArrayNode toContract(Catalog catalog, ObjectMapper mapper) {
    ArrayNode root = mapper.createArrayNode();
    for (OsEntry entry : catalog.entries()) {
      ObjectNode os = root.addObject().put(OS, entry.os()).put(BASE_IMAGE, entry.baseImage());
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

  /**
   * What in {@code spec} the catalog does not offer: an unknown OS (the reason lists the known
   * ones), an unknown language for that OS, or an unknown library of a language. Empty when the
   * catalog can build the environment.
   */
  public static List<FieldError> check(Catalog catalog, EnvironmentSpec spec) {
    Optional<OsEntry> os = findOs(catalog, spec.os());
    if (os.isEmpty()) {
      List<String> known = catalog.entries().stream().map(OsEntry::os).sorted().toList();
      return List.of(new FieldError("os", quote(spec.os()) + " is not in the catalog: " + known("OSes", known)));
    }
    List<FieldError> errors = new ArrayList<>();
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

  static Optional<OsEntry> findOs(Catalog catalog, String os) {
    return catalog.entries().stream().filter(e -> e.os().equals(os)).findFirst();
  }

  /** True when {@code reference} is a valid Docker image reference such as {@code debian:bookworm}. */
  static boolean isImageReference(String reference) {
    var m = IMAGE_REFERENCE.matcher(reference);
    return m.matches() && m.group(1).length() <= MAX_IMAGE_NAME_LENGTH;
  }

  private static String known(String what, List<String> names) {
    return names.isEmpty() ? "none are offered" : "known " + what + " are " + String.join(", ", names);
  }

  /** User text is quoted in reasons, shortened so a long typo keeps the message readable. */
  private static String quote(String text) {
    String shown = text.length() > MAX_NAME_LENGTH ? text.substring(0, MAX_NAME_LENGTH) + "…" : text;
    return "\"" + shown + "\"";
  }

  private static String kindOf(JsonNode value) {
    if (value == null || value.isNull() || value.isMissingNode()) {
      return "null";
    }
    return switch (value.getNodeType()) {
      case ARRAY -> "an array";
      case OBJECT, POJO -> "an object";
      case BOOLEAN -> "a boolean";
      case NUMBER -> "a number";
      case STRING -> "a string";
      default -> "a " + value.getNodeType().name().toLowerCase(Locale.ROOT);
    };
  }

  private static boolean absent(JsonNode value) {
    return value == null || value.isNull() || value.isMissingNode();
  }

  /** One parse: the errors found so far and a reader per contract element. */
  private static final class Reader {
    final List<FieldError> errors = new ArrayList<>();

    void error(String field, String reason) {
      errors.add(new FieldError(field, reason));
    }

    OsEntry osEntry(String field, JsonNode value, Map<String, String> osSeen) {
      if (!value.isObject()) {
        error(field, "must be an object describing one OS, not " + kindOf(value));
        return null;
      }
      for (Map.Entry<String, JsonNode> property : value.properties()) {
        String name = property.getKey();
        if (!OS_FIELDS.contains(name) && !EnvironmentSpecParser.isStorageArtefact(name, property.getValue())) {
          error(field + "." + name, EnvironmentSpecParser.unknownFieldReason(name, OS_FIELDS));
        }
      }
      String osField = field + "." + OS;
      String os = name(osField, value.get(OS), OS_NAME, "lowercase letters, digits, '.', '_' and '-'");
      if (os != null && !isImageReference(IMAGE_REPOSITORY_PREFIX + os)) {
        error(osField, quote(os) + " cannot be used in the image name " + IMAGE_REPOSITORY_PREFIX + os
            + ": end it with a letter or digit and do not repeat '.'");
        os = null;
      }
      if (os != null && osSeen.putIfAbsent(os, field) != null) {
        error(osField, quote(os) + " is already described at " + osSeen.get(os));
        os = null;
      }
      String baseImage = baseImage(field + "." + BASE_IMAGE, value.get(BASE_IMAGE));
      List<String> initSteps = steps(field + "." + INIT_STEPS, value.get(INIT_STEPS), false);
      Map<String, LanguageEntry> specifications = specifications(field + "." + SPECIFICATIONS,
          value.get(SPECIFICATIONS));
      if (os == null || baseImage == null || initSteps == null || specifications == null) {
        return null;
      }
      return new OsEntry(os, baseImage, initSteps, specifications);
    }

    String name(String field, JsonNode value, Pattern pattern, String allowed) {
      if (absent(value)) {
        error(field, "is required");
        return null;
      }
      if (!value.isTextual()) {
        error(field, "must be a string, not " + kindOf(value));
        return null;
      }
      return checkedName(field, value.textValue(), pattern, allowed);
    }

    String checkedName(String field, String name, Pattern pattern, String allowed) {
      if (name.length() > MAX_NAME_LENGTH) {
        error(field, "is " + name.length() + " characters long: use at most " + MAX_NAME_LENGTH);
        return null;
      }
      if (!pattern.matcher(name).matches()) {
        error(field, quote(name) + " is not a valid name: use " + allowed + ", starting with a letter or digit");
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
        error(field, quote(image) + " is not a Docker image reference: use e.g. debian:bookworm or"
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
        String step = step(field + "[" + i + "]", value.get(i));
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
        String languageField = field + "." + property.getKey();
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
      for (Map.Entry<String, JsonNode> property : value.properties()) {
        if (!LANGUAGE_FIELDS.contains(property.getKey())) {
          error(field + "." + property.getKey(),
              EnvironmentSpecParser.unknownFieldReason(property.getKey(), LANGUAGE_FIELDS));
        }
      }
      List<String> installation = steps(field + "." + INSTALLATION_STEPS, value.get(INSTALLATION_STEPS), false);
      Map<String, List<String>> libraries = libraries(field + "." + LIBRARIES, value.get(LIBRARIES));
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
        String libraryField = field + "." + property.getKey();
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
