package io.dcloud.environment;

import static io.dcloud.contract.ContractReader.ROOT;
import static io.dcloud.contract.ContractReader.absent;
import static io.dcloud.contract.ContractReader.at;
import static io.dcloud.contract.ContractReader.kindOf;
import static io.dcloud.resources.Quantities.MIB;
import static io.dcloud.resources.Quantities.MILLIS_PER_CORE;
import static io.dcloud.resources.Quantities.PIB;
import static io.dcloud.resources.Quantities.TIB;
import static io.dcloud.resources.Quantities.quote;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dcloud.resources.Resources;
import io.dcloud.secret.SecretBox;
import io.dcloud.spec.EnvironmentSpec;
import io.dcloud.spec.EnvironmentSpec.DatasetRef;
import io.dcloud.spec.EnvironmentSpec.LanguageSpec;
import io.dcloud.spec.EnvironmentSpec.PortSpec;
import io.dcloud.spec.EnvironmentSpec.RestartPolicy;
import io.dcloud.spec.EnvironmentSpec.VolumeSpec;
import io.dcloud.validation.ValidationException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Turns the seeds' environment-config contract (JSON as users and the Mongo-era tools write it, or
 * as the original project wrote it) into an {@link EnvironmentSpec}; {@link EnvironmentContractWriter}
 * writes one back.
 *
 * <p>Parsing never stops at the first problem: every field is checked and all errors are thrown
 * together in one {@link ValidationException}, each naming the field in the contract's spelling
 * ({@code resources.ram}, {@code port-publish[1].internal.ports}). Whatever the input — an array, a
 * string, a missing field, a number where an object belongs — the only exception is that one.
 * The parts with rules of their own have their own readers: {@link OsReader}, {@link ResourcesReader},
 * {@link PortsReader}, {@link StorageReader} and {@link RunSettingsReader}.
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

  static final String ENV_NAME_FIELD = "env-name";
  static final String VERSION = "version";
  static final String OS = "os";
  static final String LANGUAGES = "languages";
  static final String RESOURCES = "resources";
  static final String DATASET = "dataset";
  static final String PORT_PUBLISH = "port-publish";
  static final String STORAGE = "storage";
  static final String COMMAND = "command";
  static final String ENV = "env";
  static final String SECRET_ENV = "secret-env";
  static final String CONSTRAINTS = "constraints";
  static final String RESTART_POLICY = "restart-policy";

  private static final List<String> TOP_LEVEL_FIELDS =
      List.of(
          ENV_NAME_FIELD, VERSION, OS, LANGUAGES, RESOURCES, DATASET, PORT_PUBLISH, STORAGE, COMMAND, ENV,
          SECRET_ENV, CONSTRAINTS, RESTART_POLICY, RunDurationReader.IDLE_TIMEOUT, RunDurationReader.MAX_RUNTIME);

  private static final List<String> LANGUAGE_FIELDS = List.of("language-name", "libraries");
  private static final List<String> CATEGORY_FIELDS = List.of("category-name", "db");
  private static final List<String> DB_FIELDS = List.of("db-name", "dataset");
  private static final List<String> DATASET_FIELDS = List.of("dataset-name", "version");

  /** This parse's errors so far. */
  private final SpecFieldReader in = new SpecFieldReader();

  private final SpecLimits limits;

  /** Encrypts secret-env's values; null when no key is configured (then secret-env is refused). */
  private final SecretBox secrets;

  private EnvironmentSpecParser(SpecLimits limits, SecretBox secrets) {
    this.limits = limits;
    this.secrets = secrets;
  }

  /**
   * Parses an env-config document without a secrets key: a {@code secret-env} is refused (see
   * {@link #parse(JsonNode, Resources, SpecLimits, SecretBox)}).
   *
   * @throws ValidationException listing every field error found
   */
  public static EnvironmentSpec parse(JsonNode root, Resources defaults, SpecLimits limits) {
    return parse(root, defaults, limits, null);
  }

  /**
   * Parses an env-config document; resources it leaves out come from {@code defaults}, and it may
   * ask for no more than {@code limits} allow. The values of its {@code secret-env} come out
   * encrypted with {@code secrets} (null: there is no key, and a secret-env is a field error).
   *
   * @throws ValidationException listing every field error found
   */
  public static EnvironmentSpec parse(JsonNode root, Resources defaults, SpecLimits limits, SecretBox secrets) {
    Objects.requireNonNull(defaults, "defaults");
    Objects.requireNonNull(limits, "limits");
    if (root == null || !root.isObject()) {
      throw ValidationException.of(
          "$", "must be a JSON object holding an environment config, not " + kindOf(root));
    }
    return new EnvironmentSpecParser(limits, secrets).spec(root, defaults);
  }

  private EnvironmentSpec spec(JsonNode root, Resources defaults) {
    in.refuseUnknownDocumentFields(ROOT, root, TOP_LEVEL_FIELDS);

    String name = envName(root.get(ENV_NAME_FIELD));
    String version = in.version(VERSION, root.get(VERSION));
    OsReader.Os os = new OsReader(in).os(root.get(OS));
    List<LanguageSpec> languages = languages(root.get(LANGUAGES));
    Resources resources = new ResourcesReader(in).resources(root.get(RESOURCES), defaults);
    List<DatasetRef> datasets = datasets(root.get(DATASET));
    List<PortSpec> ports = new PortsReader(in, limits).ports(root.get(PORT_PUBLISH));
    List<VolumeSpec> storage = new StorageReader(in, limits).volumes(root.get(STORAGE));
    RunSettingsReader run = new RunSettingsReader(in, limits);
    List<String> command = run.command(root.get(COMMAND));
    Map<String, String> env = run.env(root.get(ENV));
    Map<String, String> secretEnv = run.secretEnv(root.get(SECRET_ENV), env, secrets);
    Map<String, String> constraints = run.constraints(root.get(CONSTRAINTS));
    RestartPolicy restartPolicy = run.restartPolicy(root.get(RESTART_POLICY));
    Duration idleTimeout = RunDurationReader.read(in, RunDurationReader.IDLE_TIMEOUT, root.get(RunDurationReader.IDLE_TIMEOUT));
    Duration maxRuntime = RunDurationReader.read(in, RunDurationReader.MAX_RUNTIME, root.get(RunDurationReader.MAX_RUNTIME));

    in.throwIfAny();
    return new EnvironmentSpec(
        name, version, os.name(), os.release(), languages, resources, datasets, ports, storage, command, env,
        constraints, restartPolicy, secretEnv, idleTimeout, null, maxRuntime);
  }

  private String envName(JsonNode value) {
    String name = in.requiredName(ENV_NAME_FIELD, value);
    if (name == null) {
      return null;
    }
    if (name.length() > MAX_ENV_NAME_LENGTH) {
      in.error(ENV_NAME_FIELD, "is " + name.length() + " characters long: use at most " + MAX_ENV_NAME_LENGTH);
      return null;
    }
    if (!ENV_NAME.matcher(name).matches()) {
      in.error(
          ENV_NAME_FIELD,
          quote(name) + " may hold only letters, digits, '_', '.' and '-', and must start with a letter"
              + " or digit");
      return null;
    }
    return name;
  }

  private List<LanguageSpec> languages(JsonNode value) {
    List<JsonNode> elements = in.boundedArray(LANGUAGES, value, limits.maxLanguages(), "languages");
    if (elements == null) {
      return null;
    }
    List<LanguageSpec> languages = new ArrayList<>();
    Map<String, String> seen = new HashMap<>();
    for (int i = 0; i < elements.size(); i++) {
      String field = at(LANGUAGES, i);
      ObjectNode entry = in.object(field, elements.get(i), LANGUAGE_FIELDS);
      if (entry == null) {
        continue;
      }
      String nameField = at(field, "language-name");
      String name = in.requiredName(nameField, entry.get("language-name"));
      if (name != null && seen.putIfAbsent(name, field) != null) {
        in.error(nameField, quote(name) + " is already listed at " + seen.get(name));
      }
      List<String> libraries = libraries(at(field, "libraries"), entry.get("libraries"));
      if (name != null && libraries != null) {
        languages.add(new LanguageSpec(name, libraries));
      }
    }
    return List.copyOf(languages);
  }

  private List<String> libraries(String field, JsonNode value) {
    List<JsonNode> elements = in.boundedArray(field, value, limits.maxLibraries(), "libraries");
    if (elements == null) {
      return null;
    }
    List<String> libraries = new ArrayList<>();
    for (int i = 0; i < elements.size(); i++) {
      String libraryField = at(field, i);
      String library = in.name(libraryField, elements.get(i));
      if (library == null) {
        continue;
      }
      int earlier = libraries.indexOf(library);
      if (earlier >= 0) {
        in.error(libraryField, quote(library) + " is already listed at " + at(field, earlier));
      } else {
        libraries.add(library);
      }
    }
    return List.copyOf(libraries);
  }

  /** The seed's category → db → dataset nesting, flattened in document order. */
  private List<DatasetRef> datasets(JsonNode value) {
    List<JsonNode> categories = in.boundedArray(DATASET, value, limits.maxDatasets(), "categories");
    if (categories == null) {
      return null;
    }
    List<DatasetRef> refs = new ArrayList<>();
    for (int c = 0; c < categories.size(); c++) {
      String categoryField = at(DATASET, c);
      ObjectNode category = in.object(categoryField, categories.get(c), CATEGORY_FIELDS);
      if (category == null) {
        continue;
      }
      String categoryName = in.requiredName(at(categoryField, "category-name"), category.get("category-name"));
      String dbsField = at(categoryField, "db");
      List<JsonNode> dbs = requiredBoundedArray(dbsField, category.get("db"), "databases");
      for (int d = 0; dbs != null && d < dbs.size(); d++) {
        String dbField = at(dbsField, d);
        ObjectNode db = in.object(dbField, dbs.get(d), DB_FIELDS);
        if (db == null) {
          continue;
        }
        String dbName = in.requiredName(at(dbField, "db-name"), db.get("db-name"));
        String datasetsField = at(dbField, "dataset");
        List<JsonNode> datasets = requiredBoundedArray(datasetsField, db.get("dataset"), "datasets");
        for (int s = 0; datasets != null && s < datasets.size(); s++) {
          String datasetField = at(datasetsField, s);
          ObjectNode dataset = in.object(datasetField, datasets.get(s), DATASET_FIELDS);
          if (dataset == null) {
            continue;
          }
          String name = in.requiredName(at(datasetField, "dataset-name"), dataset.get("dataset-name"));
          JsonNode versionValue = dataset.get("version");
          // No version means whichever version the dataset store holds.
          String version = in.versionOrNull(at(datasetField, "version"), versionValue);
          boolean versionOk = absent(versionValue) || version != null;
          if (categoryName != null && dbName != null && name != null && versionOk) {
            refs.add(new DatasetRef(categoryName, dbName, name, version));
          }
        }
      }
    }
    if (refs.size() > limits.maxDatasets()) {
      in.error(DATASET, SpecFieldReader.tooMany(refs.size(), limits.maxDatasets(), "datasets in all"));
      return null;
    }
    return List.copyOf(refs);
  }

  private List<JsonNode> requiredBoundedArray(String field, JsonNode value, String entries) {
    if (absent(value)) {
      in.error(field, "is required");
      return null;
    }
    return in.boundedArray(field, value, limits.maxDatasets(), entries);
  }
}
