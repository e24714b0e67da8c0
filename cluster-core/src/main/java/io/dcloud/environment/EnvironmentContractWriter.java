package io.dcloud.environment;

import static io.dcloud.environment.EnvironmentSpecParser.COMMAND;
import static io.dcloud.environment.EnvironmentSpecParser.CONSTRAINTS;
import static io.dcloud.environment.EnvironmentSpecParser.DATASET;
import static io.dcloud.environment.EnvironmentSpecParser.ENV;
import static io.dcloud.environment.EnvironmentSpecParser.ENV_NAME_FIELD;
import static io.dcloud.environment.EnvironmentSpecParser.LANGUAGES;
import static io.dcloud.environment.EnvironmentSpecParser.OS;
import static io.dcloud.environment.EnvironmentSpecParser.PORT_PUBLISH;
import static io.dcloud.environment.EnvironmentSpecParser.RESOURCES;
import static io.dcloud.environment.EnvironmentSpecParser.RESTART_POLICY;
import static io.dcloud.environment.EnvironmentSpecParser.SECRET_ENV;
import static io.dcloud.environment.EnvironmentSpecParser.STORAGE;
import static io.dcloud.environment.EnvironmentSpecParser.VERSION;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dcloud.resources.Quantities;
import io.dcloud.resources.Resources;
import io.dcloud.spec.Durations;
import io.dcloud.spec.EnvironmentSpec;
import io.dcloud.spec.EnvironmentSpec.DatasetRef;
import io.dcloud.spec.EnvironmentSpec.LanguageSpec;
import io.dcloud.spec.EnvironmentSpec.OsRelease;
import io.dcloud.spec.EnvironmentSpec.PortSpec;
import io.dcloud.spec.EnvironmentSpec.VolumeSpec;
import java.util.List;
import java.util.Locale;

/**
 * Writes an {@link EnvironmentSpec} back in the environment-config contract that
 * {@link EnvironmentSpecParser} reads, as clients are shown it: variable values are write-only, so
 * {@code env} and {@code secret-env} list their names with {@link EnvironmentSpec#HIDDEN_VALUE}.
 */
public final class EnvironmentContractWriter {

  private EnvironmentContractWriter() {}

  /**
   * Writes {@code spec} in contract form, so that {@code parse(toContract(spec), anyDefaults)} equals
   * {@code spec} but for variable values: every resource is written out, sizes exactly ("1536M"), CPU
   * as cores ("1.5"). The OS is a name, or the original project's object when a version or tags were
   * asked for. {@code secret-env} is written only when there is one (a config without it is valid
   * where no secrets key is configured).
   */
  public static ObjectNode toContract(EnvironmentSpec spec, ObjectMapper mapper) {
    ObjectNode root = mapper.createObjectNode();
    root.put(ENV_NAME_FIELD, spec.name());
    root.put(VERSION, spec.version());
    OsRelease release = spec.osRelease();
    if (release == null) {
      root.put(OS, spec.os());
    } else {
      ObjectNode os = root.putObject(OS).put(OsReader.IMAGE_NAME, spec.os());
      if (release.version() != null) {
        os.put(OsReader.VERSION, release.version());
      }
      if (release.tags() != null) {
        os.put(OsReader.TAGS, release.tags());
      }
    }

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
      ObjectNode entry = volumes.addObject().put("target", volume.target());
      if (volume.kept() == null || volume.sizeBytes() > 0) {
        entry.put("size", Quantities.formatSize(volume.sizeBytes()));
      }
      entry.put("lifecycle", volume.lifecycle().name().toLowerCase(Locale.ROOT));
      if (volume.kept() != null) {
        entry.put("volume", volume.kept().name());
      }
    }

    spec.command().forEach(root.putArray(COMMAND)::add);
    ObjectNode env = root.putObject(ENV);
    EnvironmentSpec.hidingValues(spec.env()).forEach(env::put);
    if (!spec.secretEnv().isEmpty()) {
      ObjectNode secretEnv = root.putObject(SECRET_ENV);
      EnvironmentSpec.hidingValues(spec.secretEnv()).forEach(secretEnv::put);
    }
    ObjectNode constraints = root.putObject(CONSTRAINTS);
    spec.constraints().forEach(constraints::put);
    root.put(RESTART_POLICY, RunSettingsReader.contractName(spec.restartPolicy()));
    // Only when set: configs without it stay exactly as they were written.
    if (spec.idleTimeout() != null) {
      root.put(RunDurationReader.IDLE_TIMEOUT, Durations.format(spec.idleTimeout()));
    }
    if (spec.maxRuntime() != null) {
      root.put(RunDurationReader.MAX_RUNTIME, Durations.format(spec.maxRuntime()));
    }
    return root;
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
}
