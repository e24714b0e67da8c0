package io.dcloud.environment;

import io.dcloud.resources.Quantities;
import io.dcloud.resources.Resources;
import static io.dcloud.resources.Quantities.MIB;
import static io.dcloud.resources.Quantities.MILLIS_PER_CORE;
import static io.dcloud.resources.Quantities.PIB;
import static io.dcloud.resources.Quantities.TIB;
import static io.dcloud.resources.Quantities.kindOf;
import static io.dcloud.resources.Quantities.quote;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dcloud.environment.EnvironmentSpec.DatasetRef;
import io.dcloud.environment.EnvironmentSpec.LanguageSpec;
import io.dcloud.environment.EnvironmentSpec.Lifecycle;
import io.dcloud.environment.EnvironmentSpec.PortSpec;
import io.dcloud.environment.EnvironmentSpec.RestartPolicy;
import io.dcloud.environment.EnvironmentSpec.VolumeSpec;
import io.dcloud.validation.FieldError;
import io.dcloud.validation.ValidationException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * Turns the seeds' environment-config contract (JSON as users and the Mongo-era tools write it)
 * into an {@link EnvironmentSpec}, and back.
 *
 * <p>Parsing never stops at the first problem: every field is checked and all errors are thrown
 * together in one {@link ValidationException}, each naming the field in the contract's spelling
 * ({@code resources.ram}, {@code port-publish[1].internal.ports}). Whatever the input — an array, a
 * string, a missing field, a number where an object belongs — the only exception is that one.
 */
public final class EnvironmentSpecParser {

  /** An env-name becomes part of container and Kubernetes names, so it must fit a DNS label. */
  public static final int MAX_ENV_NAME_LENGTH = 63;

  /**
   * Names, versions and labels are identifiers, not prose: 253 is the longest one the platform
   * handles (a DNS subdomain, e.g. a label prefix), and the cap keeps errors and logs short.
   */
  public static final int MAX_NAME_LENGTH = 253;

  /** Docker refuses a memory limit below 6 MiB ("Minimum memory limit allowed is 6MB"). */
  public static final long MIN_MEMORY_BYTES = 6 * MIB;

  /** Far beyond any machine we schedule on: a larger value is a typo (e.g. "1P" for "1G"). */
  public static final long MAX_MEMORY_BYTES = 16 * TIB;

  /** Likewise a typo guard; the scheduler refuses what no node has. */
  public static final long MAX_MILLI_CPUS = 1024 * MILLIS_PER_CORE;

  /** Likewise a typo guard; the scheduler, not the parser, refuses more GPUs than a node has. */
  public static final int MAX_GPUS = 1024;

  /** Typo guard for disk sizes (the environment's disk and each volume). */
  public static final long MAX_STORAGE_BYTES = PIB;

  public static final int MIN_PORT = 1;
  public static final int MAX_PORT = 65535;

  /** Linux PATH_MAX: no mount target can be longer. */
  public static final int MAX_PATH_LENGTH = 4096;

  public static final String DEFAULT_VERSION = "1";
  public static final String DEFAULT_PROTOCOL = "tcp";

  private static final Pattern ENV_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]*");
  private static final Pattern ENV_VAR_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
  private static final Set<String> PROTOCOLS = Set.of("tcp", "udp");

  /** Mounting over these would hide or break the kernel interfaces the container itself needs. */
  private static final List<String> FORBIDDEN_MOUNT_ROOTS = List.of("/proc", "/sys", "/dev");

  /** Fields the Mongo-era tools stored beside the contract: not part of the request, silently dropped. */
  private static final Set<String> STORAGE_ARTEFACT_FIELDS =
      Set.of(
          "_id",
          "id",
          "config_id",
          "is active",
          "is_active",
          "creation_time",
          "last updation time",
          "last_updation_time");

  private static final String ENV_NAME_FIELD = "env-name";
  private static final String VERSION = "version";
  private static final String OS = "os";
  private static final String LANGUAGES = "languages";
  private static final String RESOURCES = "resources";
  private static final String DATASET = "dataset";
  private static final String PORT_PUBLISH = "port-publish";
  private static final String STORAGE = "storage";
  private static final String COMMAND = "command";
  private static final String ENV = "env";
  private static final String CONSTRAINTS = "constraints";
  private static final String RESTART_POLICY = "restart-policy";

  private static final List<String> TOP_LEVEL_FIELDS =
      List.of(
          ENV_NAME_FIELD, VERSION, OS, LANGUAGES, RESOURCES, DATASET, PORT_PUBLISH, STORAGE, COMMAND, ENV,
          CONSTRAINTS, RESTART_POLICY);

  private static final List<String> LANGUAGE_FIELDS = List.of("language-name", "libraries");
  private static final List<String> RESOURCE_FIELDS = List.of("ram", "cpu", "gpu", "storage", "gpu-model");
  private static final List<String> CATEGORY_FIELDS = List.of("category-name", "db");
  private static final List<String> DB_FIELDS = List.of("db-name", "dataset");
  private static final List<String> DATASET_FIELDS = List.of("dataset-name", "version");
  private static final List<String> PORT_FIELDS = List.of("external", "internal");
  private static final List<String> EXTERNAL_PORT_FIELDS = List.of("ports");
  private static final List<String> INTERNAL_PORT_FIELDS = List.of("ports", "protocol");
  private static final List<String> VOLUME_FIELDS = List.of("target", "size", "lifecycle");

  /** A typo this close to a known field name gets a "did you mean" hint. */
  private static final int TYPO_DISTANCE = 2;

  private static final int CHARACTERS_PER_TYPO = 3;

  private EnvironmentSpecParser() {}

  /**
   * Parses an env-config document; resources it leaves out come from {@code defaults}.
   *
   * @throws ValidationException listing every field error found
   */
  public static EnvironmentSpec parse(JsonNode root, Resources defaults) {
    Objects.requireNonNull(defaults, "defaults");
    Reader in = new Reader();
    if (root == null || !root.isObject()) {
      throw ValidationException.of(
          "$", "must be a JSON object holding an environment config, not " + kindOf(root));
    }
    in.refuseUnknownTopLevel(root);

    String name = in.envName(root.get(ENV_NAME_FIELD));
    String version = in.version(VERSION, root.get(VERSION));
    String os = in.requiredName(OS, root.get(OS));
    List<LanguageSpec> languages = in.languages(root.get(LANGUAGES));
    Resources resources = in.resources(root.get(RESOURCES), defaults);
    List<DatasetRef> datasets = in.datasets(root.get(DATASET));
    List<PortSpec> ports = in.ports(root.get(PORT_PUBLISH));
    List<VolumeSpec> storage = in.volumes(root.get(STORAGE));
    List<String> command = in.command(root.get(COMMAND));
    Map<String, String> env = in.env(root.get(ENV));
    Map<String, String> constraints = in.constraints(root.get(CONSTRAINTS));
    RestartPolicy restartPolicy = in.restartPolicy(root.get(RESTART_POLICY));

    if (!in.errors.isEmpty()) {
      throw new ValidationException(in.errors);
    }
    return new EnvironmentSpec(
        name, version, os, languages, resources, datasets, ports, storage, command, env, constraints,
        restartPolicy);
  }

  /**
   * Writes {@code spec} in contract form, so that {@code parse(toContract(spec), anyDefaults)} equals
   * {@code spec}: every resource is written out, sizes exactly ("1536M"), CPU as cores ("1.5").
   */
  public static ObjectNode toContract(EnvironmentSpec spec, ObjectMapper mapper) {
    ObjectNode root = mapper.createObjectNode();
    root.put(ENV_NAME_FIELD, spec.name());
    root.put(VERSION, spec.version());
    root.put(OS, spec.os());

    ArrayNode languages = root.putArray(LANGUAGES);
    for (LanguageSpec language : spec.languages()) {
      ObjectNode entry = languages.addObject().put("language-name", language.name());
      language.libraries().forEach(entry.putArray("libraries")::add);
    }

    Resources r = spec.resources();
    ObjectNode resources = root.putObject(RESOURCES);
    resources.put("ram", Quantities.formatSize(r.memoryBytes()));
    resources.put("cpu", Quantities.formatCores(r.milliCpus()));
    resources.put("gpu", r.gpus());
    resources.put("storage", Quantities.formatSize(r.storageBytes()));
    if (r.gpuModel() != null) {
      resources.put("gpu-model", r.gpuModel());
    }

    root.set(DATASET, datasetsToContract(spec.datasets(), mapper));

    ArrayNode ports = root.putArray(PORT_PUBLISH);
    for (PortSpec port : spec.ports()) {
      ObjectNode entry = ports.addObject();
      if (port.hostPort() != null) {
        entry.putObject("external").put("ports", port.hostPort());
      }
      entry.putObject("internal").put("ports", port.containerPort()).put("protocol", port.protocol());
    }

    ArrayNode volumes = root.putArray(STORAGE);
    for (VolumeSpec volume : spec.storage()) {
      volumes
          .addObject()
          .put("target", volume.target())
          .put("size", Quantities.formatSize(volume.sizeBytes()))
          .put("lifecycle", volume.lifecycle().name().toLowerCase(Locale.ROOT));
    }

    spec.command().forEach(root.putArray(COMMAND)::add);
    ObjectNode env = root.putObject(ENV);
    spec.env().forEach(env::put);
    ObjectNode constraints = root.putObject(CONSTRAINTS);
    spec.constraints().forEach(constraints::put);
    root.put(RESTART_POLICY, restartPolicyName(spec.restartPolicy()));
    return root;
  }

  /**
   * True for what the Mongo-era tools stored beside a document ({@code _id}, {@code creation_time},
   * any {@code {"$oid": ...}} or {@code {"$date": ...}} value): parsers skip these instead of
   * refusing them as unknown fields.
   */
  public static boolean isStorageArtefact(String field, JsonNode value) {
    if (STORAGE_ARTEFACT_FIELDS.contains(field)) {
      return true;
    }
    return value != null
        && value.isObject()
        && value.size() == 1
        && (value.has("$oid") || value.has("$date"));
  }

  /** "is not a known field: use one of a, b, c" plus a hint when the name is a near miss. */
  public static String unknownFieldReason(String field, Collection<String> known) {
    String hint = "";
    for (String candidate : known) {
      // Short names are too easily "near" anything: allow one typo per three characters.
      int allowed = Math.min(TYPO_DISTANCE, candidate.length() / CHARACTERS_PER_TYPO);
      if (editDistance(field.toLowerCase(Locale.ROOT), candidate) <= allowed) {
        hint = " (did you mean " + candidate + "?)";
        break;
      }
    }
    return "is not a known field" + hint + ": use one of " + String.join(", ", known);
  }

  /**
   * Regroups the flattened datasets into the contract's category → db → dataset nesting. Only
   * consecutive entries are merged, so parsing the result gives back the same list in the same order.
   */
  private static ArrayNode datasetsToContract(List<DatasetRef> datasets, ObjectMapper mapper) {
    ArrayNode categories = mapper.createArrayNode();
    ObjectNode category = null;
    ObjectNode db = null;
    DatasetRef previous = null;
    for (DatasetRef ref : datasets) {
      if (previous == null || !previous.category().equals(ref.category())) {
        category = categories.addObject().put("category-name", ref.category());
        category.putArray("db");
        db = null;
      }
      if (db == null || !previous.db().equals(ref.db())) {
        db = ((ArrayNode) category.get("db")).addObject().put("db-name", ref.db());
        db.putArray("dataset");
      }
      ObjectNode dataset = ((ArrayNode) db.get("dataset")).addObject().put("dataset-name", ref.dataset());
      if (ref.version() != null) {
        dataset.put("version", ref.version());
      }
      previous = ref;
    }
    return categories;
  }

  private static String restartPolicyName(RestartPolicy policy) {
    return policy.name().toLowerCase(Locale.ROOT).replace('_', '-');
  }

  private static int editDistance(String a, String b) {
    int[] previous = new int[b.length() + 1];
    int[] current = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      previous[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      current[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int substitution = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
        current[j] = Math.min(substitution, Math.min(previous[j], current[j - 1]) + 1);
      }
      int[] swap = previous;
      previous = current;
      current = swap;
    }
    return previous[b.length()];
  }

  private static String at(String parent, String key) {
    return parent + "." + key;
  }

  private static String at(String parent, int index) {
    return parent + "[" + index + "]";
  }

  private static boolean absent(JsonNode value) {
    return value == null || value.isNull() || value.isMissingNode();
  }

  private static boolean hasControlCharacter(String text) {
    return text.chars().anyMatch(Character::isISOControl);
  }

  /** One parse: the errors found so far and a reader per contract element. */
  private static final class Reader {
    final List<FieldError> errors = new ArrayList<>();

    void error(String field, String reason) {
      errors.add(new FieldError(field, reason));
    }

    /** Runs a reader that throws, collecting its errors; null when it failed. */
    <T> T attempt(Supplier<T> read) {
      try {
        return read.get();
      } catch (ValidationException e) {
        errors.addAll(e.errors());
        return null;
      }
    }

    void refuseUnknownTopLevel(JsonNode root) {
      for (Map.Entry<String, JsonNode> field : root.properties()) {
        String name = field.getKey();
        if (!TOP_LEVEL_FIELDS.contains(name) && !isStorageArtefact(name, field.getValue())) {
          error(name, unknownFieldReason(name, TOP_LEVEL_FIELDS));
        }
      }
    }

    /** An object with only {@code known} fields, or null (after recording why) when it is not one. */
    ObjectNode object(String field, JsonNode value, List<String> known) {
      if (!value.isObject()) {
        error(field, "must be an object, not " + kindOf(value));
        return null;
      }
      for (Map.Entry<String, JsonNode> property : value.properties()) {
        String name = property.getKey();
        if (!known.contains(name)) {
          error(at(field, name), unknownFieldReason(name, known));
        }
      }
      return (ObjectNode) value;
    }

    /** The elements of an optional array: empty when absent, null (after recording why) when not an array. */
    List<JsonNode> optionalArray(String field, JsonNode value) {
      if (absent(value)) {
        return List.of();
      }
      if (!value.isArray()) {
        error(field, "must be an array, not " + kindOf(value));
        return null;
      }
      List<JsonNode> elements = new ArrayList<>();
      value.forEach(elements::add);
      return elements;
    }

    List<JsonNode> requiredArray(String field, JsonNode value) {
      if (absent(value)) {
        error(field, "is required");
        return null;
      }
      return optionalArray(field, value);
    }

    /** A required, non-blank, single-line identifier of reasonable length. */
    String requiredName(String field, JsonNode value) {
      if (absent(value)) {
        error(field, "is required");
        return null;
      }
      return name(field, value);
    }

    String name(String field, JsonNode value) {
      if (!value.isTextual()) {
        error(field, "must be a string, not " + kindOf(value));
        return null;
      }
      return checkedName(field, value.textValue());
    }

    String checkedName(String field, String text) {
      if (text.isBlank()) {
        error(field, "must not be blank");
        return null;
      }
      if (text.length() > MAX_NAME_LENGTH) {
        error(field, "is " + text.length() + " characters long: use at most " + MAX_NAME_LENGTH);
        return null;
      }
      if (hasControlCharacter(text)) {
        error(field, "must not contain line breaks or other control characters");
        return null;
      }
      return text;
    }

    String envName(JsonNode value) {
      String name = requiredName(ENV_NAME_FIELD, value);
      if (name == null) {
        return null;
      }
      if (name.length() > MAX_ENV_NAME_LENGTH) {
        error(ENV_NAME_FIELD, "is " + name.length() + " characters long: use at most " + MAX_ENV_NAME_LENGTH);
        return null;
      }
      if (!ENV_NAME.matcher(name).matches()) {
        error(
            ENV_NAME_FIELD,
            quote(name) + " may hold only letters, digits, '_', '.' and '-', and must start with a letter"
                + " or digit");
        return null;
      }
      return name;
    }

    /** A version written as a string ("1") or a number (1, 2.5); {@code "1"} when absent. */
    String version(String field, JsonNode value) {
      if (absent(value)) {
        return DEFAULT_VERSION;
      }
      return versionOrNull(field, value);
    }

    String versionOrNull(String field, JsonNode value) {
      if (absent(value)) {
        return null;
      }
      if (value.isNumber()) {
        return attempt(() -> Quantities.plainNumber(field, value));
      }
      if (!value.isTextual()) {
        error(field, "must be a string or a number, not " + kindOf(value));
        return null;
      }
      return name(field, value);
    }

    List<LanguageSpec> languages(JsonNode value) {
      List<JsonNode> elements = optionalArray(LANGUAGES, value);
      if (elements == null) {
        return null;
      }
      List<LanguageSpec> languages = new ArrayList<>();
      Map<String, String> seen = new HashMap<>();
      for (int i = 0; i < elements.size(); i++) {
        String field = at(LANGUAGES, i);
        ObjectNode entry = object(field, elements.get(i), LANGUAGE_FIELDS);
        if (entry == null) {
          continue;
        }
        String nameField = at(field, "language-name");
        String name = requiredName(nameField, entry.get("language-name"));
        if (name != null && seen.putIfAbsent(name, field) != null) {
          error(nameField, quote(name) + " is already listed at " + seen.get(name));
        }
        List<String> libraries = libraries(at(field, "libraries"), entry.get("libraries"));
        if (name != null && libraries != null) {
          languages.add(new LanguageSpec(name, libraries));
        }
      }
      return List.copyOf(languages);
    }

    List<String> libraries(String field, JsonNode value) {
      List<JsonNode> elements = optionalArray(field, value);
      if (elements == null) {
        return null;
      }
      List<String> libraries = new ArrayList<>();
      for (int i = 0; i < elements.size(); i++) {
        String libraryField = at(field, i);
        String library = name(libraryField, elements.get(i));
        if (library == null) {
          continue;
        }
        int earlier = libraries.indexOf(library);
        if (earlier >= 0) {
          error(libraryField, quote(library) + " is already listed at " + at(field, earlier));
        } else {
          libraries.add(library);
        }
      }
      return List.copyOf(libraries);
    }

    Resources resources(JsonNode value, Resources defaults) {
      if (absent(value)) {
        return defaults;
      }
      ObjectNode r = object(RESOURCES, value, RESOURCE_FIELDS);
      if (r == null) {
        return null;
      }
      Long memory = sizeBetween(at(RESOURCES, "ram"), r.get("ram"), defaults.memoryBytes(), MIN_MEMORY_BYTES,
          MAX_MEMORY_BYTES, " (Docker's minimum)");
      Long cpus = milliCpus(at(RESOURCES, "cpu"), r.get("cpu"), defaults.milliCpus());
      Integer gpus = gpus(at(RESOURCES, "gpu"), r.get("gpu"), defaults.gpus());
      Long storage = sizeBetween(at(RESOURCES, "storage"), r.get("storage"), defaults.storageBytes(), 0,
          MAX_STORAGE_BYTES, "");
      JsonNode modelValue = r.get("gpu-model");
      String gpuModel = absent(modelValue) ? defaults.gpuModel() : name(at(RESOURCES, "gpu-model"), modelValue);
      if (memory == null || cpus == null || gpus == null || storage == null
          || (!absent(modelValue) && gpuModel == null)) {
        return null;
      }
      return new Resources(cpus, memory, gpus, storage, gpuModel);
    }

    Long sizeBetween(String field, JsonNode value, long fallback, long min, long max, String minNote) {
      if (absent(value)) {
        return fallback;
      }
      Long bytes = attempt(() -> Quantities.bytes(field, value));
      if (bytes == null) {
        return null;
      }
      if (bytes < min) {
        error(field, "must be at least " + Quantities.formatSize(min) + minNote);
        return null;
      }
      if (bytes > max) {
        error(field, "must be at most " + Quantities.formatSize(max));
        return null;
      }
      return bytes;
    }

    Long milliCpus(String field, JsonNode value, long fallback) {
      if (absent(value)) {
        return fallback;
      }
      Long millis = attempt(() -> Quantities.milliCpus(field, value));
      if (millis == null) {
        return null;
      }
      if (millis <= 0) {
        error(field, "must be more than 0");
        return null;
      }
      if (millis > MAX_MILLI_CPUS) {
        error(field, "must be at most " + Quantities.describeCores(MAX_MILLI_CPUS));
        return null;
      }
      return millis;
    }

    Integer gpus(String field, JsonNode value, int fallback) {
      if (absent(value)) {
        return fallback;
      }
      Integer gpus = attempt(() -> Quantities.count(field, value));
      if (gpus != null && gpus > MAX_GPUS) {
        error(field, "must be at most " + MAX_GPUS);
        return null;
      }
      return gpus;
    }

    /** The seed's category → db → dataset nesting, flattened in document order. */
    List<DatasetRef> datasets(JsonNode value) {
      List<JsonNode> categories = optionalArray(DATASET, value);
      if (categories == null) {
        return null;
      }
      List<DatasetRef> refs = new ArrayList<>();
      for (int c = 0; c < categories.size(); c++) {
        String categoryField = at(DATASET, c);
        ObjectNode category = object(categoryField, categories.get(c), CATEGORY_FIELDS);
        if (category == null) {
          continue;
        }
        String categoryName = requiredName(at(categoryField, "category-name"), category.get("category-name"));
        String dbsField = at(categoryField, "db");
        List<JsonNode> dbs = requiredArray(dbsField, category.get("db"));
        for (int d = 0; dbs != null && d < dbs.size(); d++) {
          String dbField = at(dbsField, d);
          ObjectNode db = object(dbField, dbs.get(d), DB_FIELDS);
          if (db == null) {
            continue;
          }
          String dbName = requiredName(at(dbField, "db-name"), db.get("db-name"));
          String datasetsField = at(dbField, "dataset");
          List<JsonNode> datasets = requiredArray(datasetsField, db.get("dataset"));
          for (int s = 0; datasets != null && s < datasets.size(); s++) {
            String datasetField = at(datasetsField, s);
            ObjectNode dataset = object(datasetField, datasets.get(s), DATASET_FIELDS);
            if (dataset == null) {
              continue;
            }
            String name = requiredName(at(datasetField, "dataset-name"), dataset.get("dataset-name"));
            JsonNode versionValue = dataset.get("version");
            // No version means whichever version the dataset store holds.
            String version = versionOrNull(at(datasetField, "version"), versionValue);
            boolean versionOk = absent(versionValue) || version != null;
            if (categoryName != null && dbName != null && name != null && versionOk) {
              refs.add(new DatasetRef(categoryName, dbName, name, version));
            }
          }
        }
      }
      return List.copyOf(refs);
    }

    List<PortSpec> ports(JsonNode value) {
      List<JsonNode> elements = optionalArray(PORT_PUBLISH, value);
      if (elements == null) {
        return null;
      }
      List<PortSpec> ports = new ArrayList<>();
      Map<String, String> containerPortsSeen = new HashMap<>();
      Map<String, String> hostPortsSeen = new HashMap<>();
      for (int i = 0; i < elements.size(); i++) {
        String field = at(PORT_PUBLISH, i);
        ObjectNode entry = object(field, elements.get(i), PORT_FIELDS);
        if (entry == null) {
          continue;
        }
        String internalField = at(field, "internal");
        JsonNode internalValue = entry.get("internal");
        if (absent(internalValue)) {
          error(internalField, "is required: give the container's port, e.g. {\"ports\": 8888}");
          continue;
        }
        ObjectNode internal = object(internalField, internalValue, INTERNAL_PORT_FIELDS);
        if (internal == null) {
          continue;
        }
        String containerPortField = at(internalField, "ports");
        Integer containerPort = port(containerPortField, internal.get("ports"));
        String protocol = protocol(at(internalField, "protocol"), internal.get("protocol"));

        String externalField = at(field, "external");
        JsonNode externalValue = entry.get("external");
        Integer hostPort = null;
        boolean hostPortOk = true;
        if (!absent(externalValue)) {
          ObjectNode external = object(externalField, externalValue, EXTERNAL_PORT_FIELDS);
          JsonNode hostPortValue = external == null ? null : external.get("ports");
          if (!absent(hostPortValue)) {
            hostPort = port(at(externalField, "ports"), hostPortValue);
            hostPortOk = hostPort != null;
          }
          hostPortOk &= external != null;
        }
        if (containerPort == null || protocol == null || !hostPortOk) {
          continue;
        }
        String containerKey = containerPort + "/" + protocol;
        String earlier = containerPortsSeen.putIfAbsent(containerKey, field);
        if (earlier != null) {
          error(containerPortField, containerKey + " is already published by " + earlier);
          continue;
        }
        if (hostPort != null) {
          String hostKey = hostPort + "/" + protocol;
          earlier = hostPortsSeen.putIfAbsent(hostKey, field);
          if (earlier != null) {
            error(at(externalField, "ports"), "host port " + hostKey + " is already used by " + earlier);
            continue;
          }
        }
        ports.add(new PortSpec(hostPort, containerPort, protocol));
      }
      return List.copyOf(ports);
    }

    Integer port(String field, JsonNode value) {
      if (absent(value)) {
        error(field, "is required: give a port number between " + MIN_PORT + " and " + MAX_PORT);
        return null;
      }
      Integer port = attempt(() -> Quantities.count(field, value));
      if (port != null && (port < MIN_PORT || port > MAX_PORT)) {
        error(field, "must be between " + MIN_PORT + " and " + MAX_PORT);
        return null;
      }
      return port;
    }

    String protocol(String field, JsonNode value) {
      if (absent(value)) {
        return DEFAULT_PROTOCOL;
      }
      String text = name(field, value);
      if (text == null) {
        return null;
      }
      String protocol = text.toLowerCase(Locale.ROOT);
      if (!PROTOCOLS.contains(protocol)) {
        error(field, quote(text) + " is not a protocol: use tcp or udp");
        return null;
      }
      return protocol;
    }

    List<VolumeSpec> volumes(JsonNode value) {
      List<JsonNode> elements = optionalArray(STORAGE, value);
      if (elements == null) {
        return null;
      }
      List<VolumeSpec> volumes = new ArrayList<>();
      Map<String, String> targetsSeen = new HashMap<>();
      for (int i = 0; i < elements.size(); i++) {
        String field = at(STORAGE, i);
        ObjectNode entry = object(field, elements.get(i), VOLUME_FIELDS);
        if (entry == null) {
          continue;
        }
        String targetField = at(field, "target");
        String target = mountTarget(targetField, entry.get("target"));
        Long size = volumeSize(at(field, "size"), entry.get("size"));
        Lifecycle lifecycle = lifecycle(at(field, "lifecycle"), entry.get("lifecycle"));
        if (target != null) {
          String earlier = targetsSeen.putIfAbsent(target, field);
          if (earlier != null) {
            error(targetField, quote(target) + " is already mounted by " + earlier);
            continue;
          }
        }
        if (target != null && size != null && lifecycle != null) {
          volumes.add(new VolumeSpec(target, size, lifecycle));
        }
      }
      return List.copyOf(volumes);
    }

    /**
     * An absolute, normalized container path that Docker's mount syntax cannot misread and that
     * does not hide the container's root or kernel interfaces.
     */
    String mountTarget(String field, JsonNode value) {
      if (absent(value)) {
        error(field, "is required: give an absolute path in the container, e.g. /data");
        return null;
      }
      if (!value.isTextual()) {
        error(field, "must be a string, not " + kindOf(value));
        return null;
      }
      String target = value.textValue();
      if (target.length() > MAX_PATH_LENGTH) {
        error(field, "is " + target.length() + " characters long: use at most " + MAX_PATH_LENGTH);
        return null;
      }
      // ':' and ',' separate the parts of Docker's -v and --mount syntax.
      if (target.indexOf(':') >= 0 || target.indexOf(',') >= 0 || hasControlCharacter(target)) {
        error(field, quote(target) + " must not contain ':', ',' or line breaks");
        return null;
      }
      if (!target.startsWith("/")) {
        error(field, quote(target) + " is not an absolute path: start it with /, e.g. /data");
        return null;
      }
      List<String> segments = new ArrayList<>();
      for (String segment : target.split("/")) {
        if (segment.equals("..")) {
          error(field, quote(target) + " must not contain a .. segment");
          return null;
        }
        if (!segment.isEmpty() && !segment.equals(".")) {
          segments.add(segment);
        }
      }
      String normalized = "/" + String.join("/", segments);
      if (normalized.equals("/")) {
        error(field, "cannot be / (the container's root): mount somewhere below it, e.g. /data");
        return null;
      }
      if (!normalized.equals(target)) {
        error(field, quote(target) + " is not normalized: write " + normalized);
        return null;
      }
      for (String root : FORBIDDEN_MOUNT_ROOTS) {
        if (target.equals(root) || target.startsWith(root + "/")) {
          error(field, quote(target) + " is under " + root + ", which the container needs: mount somewhere"
              + " else, e.g. /data");
          return null;
        }
      }
      return target;
    }

    Long volumeSize(String field, JsonNode value) {
      if (absent(value)) {
        error(field, "is required: give a size such as 512M or 2G");
        return null;
      }
      Long size = attempt(() -> Quantities.bytes(field, value));
      if (size != null && size <= 0) {
        error(field, "must be more than 0");
        return null;
      }
      if (size != null && size > MAX_STORAGE_BYTES) {
        error(field, "must be at most " + Quantities.formatSize(MAX_STORAGE_BYTES));
        return null;
      }
      return size;
    }

    Lifecycle lifecycle(String field, JsonNode value) {
      if (absent(value)) {
        return Lifecycle.TEMPORARY;
      }
      String text = name(field, value);
      if (text == null) {
        return null;
      }
      return switch (text.toLowerCase(Locale.ROOT)) {
        case "temporary" -> Lifecycle.TEMPORARY;
        case "persistent" -> Lifecycle.PERSISTENT;
        default -> {
          error(field, quote(text) + " is not a lifecycle: use temporary or persistent");
          yield null;
        }
      };
    }

    /** The container's command as an argv list; it is never run through a shell. */
    List<String> command(JsonNode value) {
      List<JsonNode> elements = optionalArray(COMMAND, value);
      if (elements == null) {
        return null;
      }
      List<String> command = new ArrayList<>();
      for (int i = 0; i < elements.size(); i++) {
        String field = at(COMMAND, i);
        String argument = argument(field, elements.get(i));
        if (argument != null) {
          command.add(argument);
        }
      }
      return List.copyOf(command);
    }

    /** Free text handed to the process as is; only NUL is refused, since no OS can pass it on. */
    String argument(String field, JsonNode value) {
      if (!value.isTextual()) {
        error(field, "must be a string, not " + kindOf(value));
        return null;
      }
      if (value.textValue().indexOf('\0') >= 0) {
        error(field, "must not contain a NUL character");
        return null;
      }
      return value.textValue();
    }

    Map<String, String> env(JsonNode value) {
      return stringMap(ENV, value, (field, key) -> {
        if (!ENV_VAR_NAME.matcher(key).matches()) {
          error(field, quote(key) + " is not a variable name: use letters, digits and '_', not starting with a"
              + " digit");
          return false;
        }
        return true;
      }, this::argument);
    }

    Map<String, String> constraints(JsonNode value) {
      return stringMap(CONSTRAINTS, value, (field, key) -> checkedName(field, key) != null, this::name);
    }

    interface KeyCheck {
      boolean ok(String field, String key);
    }

    interface ValueReader {
      String read(String field, JsonNode value);
    }

    /** An optional object of strings, in document order. */
    Map<String, String> stringMap(String field, JsonNode value, KeyCheck keyCheck, ValueReader valueReader) {
      if (absent(value)) {
        return Map.of();
      }
      if (!value.isObject()) {
        error(field, "must be an object of names to strings, not " + kindOf(value));
        return null;
      }
      Map<String, String> map = new LinkedHashMap<>();
      for (Map.Entry<String, JsonNode> entry : value.properties()) {
        String entryField = at(field, entry.getKey());
        boolean keyOk = keyCheck.ok(entryField, entry.getKey());
        String entryValue = valueReader.read(entryField, entry.getValue());
        if (keyOk && entryValue != null) {
          map.put(entry.getKey(), entryValue);
        }
      }
      return Collections.unmodifiableMap(map);
    }

    RestartPolicy restartPolicy(JsonNode value) {
      if (absent(value)) {
        return RestartPolicy.ALWAYS;
      }
      String text = name(RESTART_POLICY, value);
      if (text == null) {
        return null;
      }
      for (RestartPolicy policy : RestartPolicy.values()) {
        if (restartPolicyName(policy).equalsIgnoreCase(text)) {
          return policy;
        }
      }
      error(RESTART_POLICY, quote(text) + " is not a restart policy: use always, on-failure or never");
      return null;
    }
  }
}
