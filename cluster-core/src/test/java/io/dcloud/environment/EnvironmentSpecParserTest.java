package io.dcloud.environment;

import static io.dcloud.resources.Quantities.GIB;
import static io.dcloud.resources.Quantities.MIB;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.typesafe.config.ConfigFactory;
import io.dcloud.resources.Resources;
import io.dcloud.spec.EnvironmentSpec;
import io.dcloud.spec.EnvironmentSpec.DatasetRef;
import io.dcloud.spec.EnvironmentSpec.LanguageSpec;
import io.dcloud.spec.EnvironmentSpec.Lifecycle;
import io.dcloud.spec.EnvironmentSpec.OsRelease;
import io.dcloud.spec.EnvironmentSpec.PortSpec;
import io.dcloud.spec.EnvironmentSpec.RestartPolicy;
import io.dcloud.spec.EnvironmentSpec.VolumeSpec;
import io.dcloud.validation.FieldError;
import io.dcloud.validation.ValidationException;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class EnvironmentSpecParserTest {

  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final Resources DEFAULTS = new Resources(1000, 2 * GIB, 0, 10 * GIB, null);
  private static final SpecLimits LIMITS = SpecLimits.fromConfig(ConfigFactory.load());

  /**
   * The environment config printed in seed 001 ("CONFIGURATION CONTRACTS"), OCR-damaged, repaired
   * minimally in {@code seed-001-environment.json}; the repairs, and nothing else:
   *
   * <ol>
   *   <li>{@code {| id":} → {@code {"_id":} (the OCR read {@code "_} as {@code | });
   *   <li>the {@code dataset} array was never closed: {@code }]} inserted before
   *       {@code , "port-publish"} (closing the category object and the array);
   *   <li>{@code "2023-04-30T20:22:45\n.283Z"} of {@code last updation time} rejoined on one line
   *       (a raw line break is not allowed inside a JSON string).
   * </ol>
   *
   * The page's other line breaks fall between tokens and were kept.
   */
  @Test
  void parsesTheSeedEnvironmentConfig() throws IOException {
    EnvironmentSpec spec = EnvironmentSpecParser.parse(resource("seed-001-environment.json"), DEFAULTS, LIMITS);

    assertThat(spec.name()).isEqualTo("fjasldf");
    assertThat(spec.version()).isEqualTo("1");
    assertThat(spec.os()).isEqualTo("ubuntu");
    assertThat(spec.languages()).containsExactly(new LanguageSpec("python", List.of("numpy")));
    assertThat(spec.resources()).isEqualTo(new Resources(1000, GIB, 1, 54 * GIB, null));
    assertThat(spec.datasets()).containsExactly(new DatasetRef("ffs", "fsgr", "effr", "34"));
    assertThat(spec.ports())
        .containsExactly(new PortSpec(9000, 9000, "tcp"), new PortSpec(9080, 980, "udp"));
    assertThat(spec.storage()).containsExactly(new VolumeSpec("/target", GIB, Lifecycle.TEMPORARY));
    assertThat(spec.command()).isEmpty();
    assertThat(spec.env()).isEmpty();
    assertThat(spec.constraints()).isEmpty();
    assertThat(spec.restartPolicy()).isEqualTo(RestartPolicy.ALWAYS);
  }

  /**
   * The "TEMPLATES CONFIG" of seed 001, cut off and OCR-damaged, repaired minimally in
   * {@code seed-001-template.json}: {@code "Soid"} → {@code "$oid"}; the braces and brackets the
   * page never closes (the document, {@code _id}, {@code languages} — also given its missing
   * opening {@code [{} — {@code libraries}, {@code resources}) are closed; the trailing comma after
   * {@code "gpu": "1"} (where the page is cut) is dropped. The missing storage comes from defaults.
   */
  @Test
  void parsesTheSeedTemplateConfig() throws IOException {
    EnvironmentSpec spec = EnvironmentSpecParser.parse(resource("seed-001-template.json"), DEFAULTS, LIMITS);

    assertThat(spec.name()).isEqualTo("template1");
    assertThat(spec.os()).isEqualTo("ubuntu");
    assertThat(spec.languages()).containsExactly(new LanguageSpec("python", List.of("numpy", "pandas")));
    assertThat(spec.resources()).isEqualTo(new Resources(1000, GIB, 1, DEFAULTS.storageBytes(), null));
    assertThat(spec.ports()).isEmpty();
    assertThat(spec.storage()).isEmpty();
  }

  @Test
  void aMinimalConfigTakesEveryDefault() {
    EnvironmentSpec spec = parse("{\"env-name\": \"a\", \"os\": \"debian\"}");

    assertThat(spec.version()).isEqualTo("1");
    assertThat(spec.resources()).isEqualTo(DEFAULTS);
    assertThat(spec.languages()).isEmpty();
    assertThat(spec.restartPolicy()).isEqualTo(RestartPolicy.ALWAYS);
  }

  @Test
  void readsEveryOptionalField() {
    EnvironmentSpec spec = parse("""
        {"env-name": "full.env_1", "version": 2, "os": "debian",
         "resources": {"cpu": "500m", "gpu": 2, "gpu-model": "A100"},
         "dataset": [{"category-name": "c", "db": [{"db-name": "d", "dataset": [{"dataset-name": "s"},
                                                                                {"dataset-name": "t", "version": 3}]}]}],
         "port-publish": [{"internal": {"ports": 8888}}, {"external": {"ports": 8080}, "internal": {"ports": "80", "protocol": "UDP"}}],
         "storage": [{"target": "/data", "size": "10G", "lifecycle": "persistent"}, {"target": "/tmp/x", "size": 1073741824}],
         "command": ["python3", "-c", "print('hi')"],
         "env": {"MODE": "train", "_X1": ""},
         "constraints": {"zone": "eu", "disk": "ssd"},
         "restart-policy": "on-failure"}""");

    assertThat(spec.version()).isEqualTo("2");
    assertThat(spec.resources()).isEqualTo(new Resources(500, DEFAULTS.memoryBytes(), 2, DEFAULTS.storageBytes(), "A100"));
    assertThat(spec.datasets()).containsExactly(new DatasetRef("c", "d", "s", null), new DatasetRef("c", "d", "t", "3"));
    assertThat(spec.ports()).containsExactly(new PortSpec(null, 8888, "tcp"), new PortSpec(8080, 80, "udp"));
    assertThat(spec.storage()).containsExactly(
        new VolumeSpec("/data", 10 * GIB, Lifecycle.PERSISTENT), new VolumeSpec("/tmp/x", GIB, Lifecycle.TEMPORARY));
    assertThat(spec.command()).containsExactly("python3", "-c", "print('hi')");
    assertThat(spec.env()).containsExactly(Map.entry("MODE", "train"), Map.entry("_X1", ""));
    assertThat(spec.constraints()).containsExactly(Map.entry("zone", "eu"), Map.entry("disk", "ssd"));
    assertThat(spec.restartPolicy()).isEqualTo(RestartPolicy.ON_FAILURE);
  }

  /**
   * The original DCloud/SVM project's environment config: {@code os} as an image object, volume
   * sizes in bytes (a digit string or a bare number) and no lifecycle.
   */
  @Test
  void parsesTheOriginalProjectsEnvironmentConfig() throws IOException {
    EnvironmentSpec spec = EnvironmentSpecParser.parse(resource("original-environment.json"), DEFAULTS, LIMITS);

    assertThat(spec.name()).isEqualTo("svm-resnet-training");
    assertThat(spec.version()).isEqualTo("2");
    assertThat(spec.os()).isEqualTo("ubuntu");
    assertThat(spec.osRelease()).isEqualTo(new OsRelease("22.04", "22.04"));
    assertThat(spec.languages()).containsExactly(
        new LanguageSpec("python", List.of("tensorflow", "numpy", "pandas", "jupyter-notebook")),
        new LanguageSpec("golang", List.of()));
    assertThat(spec.resources()).isEqualTo(new Resources(4000, 8 * GIB, 1, 54 * GIB, null));
    assertThat(spec.datasets()).containsExactly(new DatasetRef("images", "imagenet", "train-2012", "1"));
    assertThat(spec.ports()).containsExactly(new PortSpec(8888, 8888, "tcp"), new PortSpec(null, 6006, "tcp"));
    assertThat(spec.storage()).containsExactly(
        new VolumeSpec("/workspace", 10 * GIB, Lifecycle.TEMPORARY),
        new VolumeSpec("/checkpoints", 5 * GIB, Lifecycle.TEMPORARY));
  }

  @Test
  void readsTheOsObjectWithOrWithoutARelease() {
    assertThat(parse(config("\"os\": {\"image-name\": \"debian\"}")).osRelease()).isNull();
    assertThat(parse(config("\"os\": {\"image-name\": \"debian\"}")).os()).isEqualTo("debian");
    assertThat(parse(config("\"os\": {\"image-name\": \"ubuntu\", \"version\": 22.04}")).osRelease())
        .isEqualTo(new OsRelease("22.04", null));
    assertThat(parse(config("\"os\": \"ubuntu\"")).osRelease()).isNull();
  }

  @Test
  void refusesABadOsObject() {
    assertThat(errors(config("\"os\": {\"version\": \"22.04\", \"tag\": \"x\", \"tags\": [\"22.04\"]}")))
        .containsExactly(
            new FieldError("os.tag", "is not a known field (did you mean tags?): use one of image-name, version, tags"),
            new FieldError("os.image-name", "is required"),
            new FieldError("os.tags", "must be a string or a number, not an array"));
    assertThat(errors(config("\"os\": [\"ubuntu\"]")))
        .containsExactly(new FieldError("os",
            "must be a catalog OS name or an object with image-name, version and tags, not an array"));
  }

  @Test
  void toContractRoundTrips() throws IOException {
    EnvironmentSpec seed = EnvironmentSpecParser.parse(resource("seed-001-environment.json"), DEFAULTS, LIMITS);
    EnvironmentSpec rich = new EnvironmentSpec(
        "rich", "2.5", "debian", null,
        List.of(new LanguageSpec("python", List.of("numpy", "pandas")), new LanguageSpec("golang", List.of())),
        new Resources(1500, 1536 * MIB + 7, 3, 0, "T4"),
        // Non-consecutive repeats of a category must come back in the same order.
        List.of(new DatasetRef("a", "x", "1", null), new DatasetRef("b", "y", "2", "v2"), new DatasetRef("a", "x", "3", "1")),
        List.of(new PortSpec(null, 8888, "tcp"), new PortSpec(30080, 80, "udp")),
        List.of(new VolumeSpec("/data", 5 * GIB, Lifecycle.PERSISTENT)),
        List.of("sleep", "infinity"),
        orderedMap("B", "2", "A", "1"),
        Map.of("zone", "eu"),
        RestartPolicy.ON_FAILURE);

    EnvironmentSpec original = EnvironmentSpecParser.parse(resource("original-environment.json"), DEFAULTS, LIMITS);
    EnvironmentSpec versionOnly = new EnvironmentSpec(
        "pinned", "1", "ubuntu", new OsRelease("22.04", null), List.of(), DEFAULTS, List.of(), List.of(), List.of(),
        List.of(), Map.of(), Map.of(), RestartPolicy.ALWAYS);

    for (EnvironmentSpec spec : List.of(seed, rich, original, versionOnly)) {
      ObjectNode contract = EnvironmentContractWriter.toContract(spec, MAPPER);
      // Other defaults must not matter: toContract writes every resource. Variable values are
      // write-only: only their names come back.
      assertThat(EnvironmentSpecParser.parse(contract, Resources.NONE, LIMITS)).isEqualTo(valuesHidden(spec));
      // And it survives a trip through text.
      JsonNode reread = MAPPER.readTree(MAPPER.writeValueAsString(contract));
      assertThat(EnvironmentSpecParser.parse(reread, Resources.NONE, LIMITS)).isEqualTo(valuesHidden(spec));
    }
  }

  @Test
  void toContractUsesTheContractSpelling() {
    ObjectNode contract = EnvironmentContractWriter.toContract(parse("""
        {"env-name": "a", "os": "debian", "resources": {"ram": "1G", "cpu": "1.5"},
         "port-publish": [{"internal": {"ports": 80}}], "restart-policy": "on-failure"}"""), MAPPER);

    assertThat(contract.get("resources").get("ram").asText()).isEqualTo("1G");
    assertThat(contract.get("resources").get("cpu").asText()).isEqualTo("1.5");
    assertThat(contract.get("port-publish").get(0).has("external")).isFalse();
    assertThat(contract.get("port-publish").get(0).get("internal").get("protocol").asText()).isEqualTo("tcp");
    assertThat(contract.get("restart-policy").asText()).isEqualTo("on-failure");
  }

  @Test
  void toContractWritesTheOsObjectOnlyWhenAReleaseWasAskedFor() throws IOException {
    ObjectNode original = EnvironmentContractWriter.toContract(
        EnvironmentSpecParser.parse(resource("original-environment.json"), DEFAULTS, LIMITS), MAPPER);
    ObjectNode seed = EnvironmentContractWriter.toContract(
        EnvironmentSpecParser.parse(resource("seed-001-environment.json"), DEFAULTS, LIMITS), MAPPER);

    assertThat(original.get("os")).isEqualTo(
        MAPPER.createObjectNode().put("image-name", "ubuntu").put("version", "22.04").put("tags", "22.04"));
    assertThat(seed.get("os").textValue()).isEqualTo("ubuntu");
  }

  @Test
  void refusesRootsThatAreNotObjects() {
    for (String root : List.of("[]", "[{\"env-name\": \"a\"}]", "\"text\"", "null", "42")) {
      assertThat(errors(root)).singleElement().satisfies(e -> {
        assertThat(e.field()).isEqualTo("$");
        assertThat(e.reason()).startsWith("must be a JSON object");
      });
    }
    assertThat(catchThrowableOfType(ValidationException.class, () -> EnvironmentSpecParser.parse(null, DEFAULTS, LIMITS)))
        .isNotNull();
  }

  @Test
  void refusesMissingEnvNameAndOsTogether() {
    assertThat(errors("{}"))
        .containsExactly(new FieldError("env-name", "is required"), new FieldError("os", "is required"));
  }

  @Test
  void refusesBadEnvNames() {
    assertThat(errors(config("\"env-name\": \"-x\""))).extracting(FieldError::field).containsExactly("env-name");
    assertThat(errors(config("\"env-name\": \"a b\""))).extracting(FieldError::field).containsExactly("env-name");
    assertThat(errors(config("\"env-name\": \"" + "a".repeat(64) + "\"")).get(0).reason())
        .isEqualTo("is 64 characters long: use at most 63");
    assertThat(errors(config("\"env-name\": 5")).get(0).reason()).isEqualTo("must be a string, not a number");
    assertThat(errors(config("\"env-name\": \"  \"")).get(0).reason()).isEqualTo("must not be blank");
  }

  @Test
  void refusesBadResourcesAndReportsThemAllAtOnce() {
    List<FieldError> errors = errors(config("\"resources\": {\"ram\": \"-1G\", \"cpu\": \"abc\", \"gpu\": \"x\","
        + " \"storage\": \"2P\"}"));

    assertThat(errors).containsExactly(
        new FieldError("resources.ram", "\"-1G\" is negative: give a positive size such as 512M or 2G"),
        new FieldError("resources.cpu",
            "\"abc\" is not a CPU amount: use cores such as 0.5 or 2, or millicores such as 500m"),
        new FieldError("resources.gpu", "\"x\" is not a whole number"),
        new FieldError("resources.storage", "must be at most 1P"));
  }

  @Test
  void refusesResourcesOutOfRange() {
    assertThat(errors(config("\"resources\": {\"cpu\": 0}")))
        .containsExactly(new FieldError("resources.cpu", "must be more than 0"));
    assertThat(errors(config("\"resources\": {\"cpu\": \"0m\"}")))
        .containsExactly(new FieldError("resources.cpu", "must be more than 0"));
    assertThat(errors(config("\"resources\": {\"cpu\": 1025}")))
        .containsExactly(new FieldError("resources.cpu", "must be at most 1024 cores"));
    assertThat(errors(config("\"resources\": {\"ram\": \"5M\"}")))
        .containsExactly(new FieldError("resources.ram", "must be at least 6M (Docker's minimum)"));
    assertThat(errors(config("\"resources\": {\"ram\": \"17T\"}")))
        .containsExactly(new FieldError("resources.ram", "must be at most 16T"));
    assertThat(errors(config("\"resources\": {\"gpu\": 1025}")))
        .containsExactly(new FieldError("resources.gpu", "must be at most 1024"));
    assertThat(errors(config("\"resources\": {\"gpu\": -1}"))).extracting(FieldError::field)
        .containsExactly("resources.gpu");
    assertThat(parse(config("\"resources\": {\"storage\": 0}")).resources().storageBytes()).isZero();
  }

  @Test
  void refusesMalformedTypes() {
    List<FieldError> errors = errors(config("""
        "version": [], "languages": {}, "resources": [], "dataset": "x", "port-publish": 1,
        "storage": {}, "command": "ls", "env": [], "constraints": 3, "restart-policy": 1"""));

    assertThat(errors).extracting(FieldError::field).containsExactly(
        "version", "languages", "resources", "dataset", "port-publish", "storage", "command", "env", "constraints",
        "restart-policy");
  }

  @Test
  void refusesMalformedNestedElements() {
    List<FieldError> errors = errors(config("""
        "languages": [3, {"libraries": ["numpy", 2, "numpy"]}, {"language-name": "r", "libs": []}],
        "dataset": [{"category-name": "c"}],
        "command": ["ok", 1],
        "env": {"1BAD": "x", "GOOD": 2}"""));

    assertThat(errors).extracting(FieldError::field).containsExactly(
        "languages[0]",
        "languages[1].language-name",
        "languages[1].libraries[1]",
        "languages[1].libraries[2]",
        "languages[2].libs",
        "dataset[0].db",
        "command[1]",
        "env.1BAD",
        "env.GOOD");
  }

  @Test
  void refusesUnknownFieldsWithTheKnownOnes() {
    List<FieldError> errors = errors(config("\"resource\": {\"ram\": \"1G\"}"));

    assertThat(errors).singleElement().satisfies(e -> {
      assertThat(e.field()).isEqualTo("resource");
      assertThat(e.reason()).isEqualTo("is not a known field (did you mean resources?): use one of env-name, version,"
          + " os, languages, resources, dataset, port-publish, storage, command, env, secret-env, constraints, restart-policy, idle-timeout");
    });
    assertThat(errors(config("\"resources\": {\"rma\": \"1G\"}"))).extracting(FieldError::field)
        .containsExactly("resources.rma");
  }

  @Test
  void ignoresMongoArtefacts() {
    EnvironmentSpec spec = parse(config("""
        "_id": {"$oid": "644ece15809917bf2dc3956c"}, "id": 3, "config_id": 0, "is active": 1, "is_active": 1,
        "creation_time": "x", "last updation time": {"$date": "2023"}, "last_updation_time": 1,
        "saved_at": {"$date": "2023-04-30T20:22:45.283Z"}"""));

    assertThat(spec.name()).isEqualTo("a");
  }

  @Test
  void refusesBadStorageTargets() {
    Map<String, String> reasons = new LinkedHashMap<>();
    reasons.put("data", "\"data\" is not an absolute path: start it with /, e.g. /data");
    reasons.put("/data/../etc", "\"/data/../etc\" must not contain a .. segment");
    reasons.put("/data//x/", "\"/data//x/\" is not normalized: write /data/x");
    reasons.put("/", "cannot be / (the container's root): mount somewhere below it, e.g. /data");
    reasons.put("/proc/x", "\"/proc/x\" is under /proc, which the container needs: mount somewhere else, e.g. /data");
    reasons.put("/sys", "\"/sys\" is under /sys, which the container needs: mount somewhere else, e.g. /data");
    reasons.put("/dev/shm", "\"/dev/shm\" is under /dev, which the container needs: mount somewhere else, e.g. /data");
    reasons.put("/a:b", "\"/a:b\" must not contain ':', ',' or line breaks");
    reasons.put("/a,b", "\"/a,b\" must not contain ':', ',' or line breaks");
    reasons.put("/a\nb", "\"/a\nb\" must not contain ':', ',' or line breaks");
    reasons.forEach((target, reason) -> {
      ObjectNode root = base();
      root.putArray("storage").addObject().put("target", target).put("size", "1G");
      assertThat(errors(root)).as(target).containsExactly(new FieldError("storage[0].target", reason));
    });
    assertThat(parse(config("\"storage\": [{\"target\": \"/devices\", \"size\": \"1G\"}]")).storage()).hasSize(1);
  }

  @Test
  void readsABareVolumeSizeAsBytesButABareResourceSizeAsGibibytes() {
    EnvironmentSpec spec = parse(config("""
        "resources": {"storage": 54},
        "storage": [{"target": "/a", "size": "10737418240"}, {"target": "/b", "size": 536870912},
                    {"target": "/c", "size": "2G"}]"""));

    assertThat(spec.resources().storageBytes()).isEqualTo(54 * GIB);
    assertThat(spec.storage()).containsExactly(
        new VolumeSpec("/a", 10 * GIB, Lifecycle.TEMPORARY), new VolumeSpec("/b", 512 * MIB, Lifecycle.TEMPORARY),
        new VolumeSpec("/c", 2 * GIB, Lifecycle.TEMPORARY));
  }

  @Test
  void refusesBadVolumes() {
    assertThat(errors(config("""
        "storage": [{"target": "/a", "size": "1G"}, {"target": "/a", "size": "1G"},
                    {"target": "/b", "size": 0, "lifecycle": "forever"}, {"target": "/c"}]""")))
        .containsExactly(
            new FieldError("storage[1].target", "\"/a\" is already mounted by storage[0]"),
            new FieldError("storage[2].size", "must be more than 0"),
            new FieldError("storage[2].lifecycle", "\"forever\" is not a lifecycle: use temporary or persistent"),
            new FieldError("storage[3].size", "is required: give a size such as 512M or 2G"));
  }

  @Test
  void refusesBadPorts() {
    assertThat(errors(config("""
        "port-publish": [{"internal": {"ports": 0}}, {"internal": {"ports": "70000"}},
                         {"external": {"ports": 0}, "internal": {"ports": 80, "protocol": "sctp"}},
                         {"external": {}}]""")))
        .containsExactly(
            new FieldError("port-publish[0].internal.ports", "must be between 1 and 65535"),
            new FieldError("port-publish[1].internal.ports", "must be between 1 and 65535"),
            new FieldError("port-publish[2].internal.protocol", "\"sctp\" is not a protocol: use tcp or udp"),
            new FieldError("port-publish[2].external.ports", "must be between 1 and 65535"),
            new FieldError("port-publish[3].internal",
                "is required: give the container's port, e.g. {\"ports\": 8888}"));
  }

  @Test
  void refusesDuplicatedPorts() {
    assertThat(errors(config("""
        "port-publish": [{"external": {"ports": 9000}, "internal": {"ports": 80}},
                         {"internal": {"ports": "80", "protocol": "tcp"}},
                         {"external": {"ports": "9000"}, "internal": {"ports": 81}},
                         {"external": {"ports": 9000}, "internal": {"ports": 80, "protocol": "udp"}}]""")))
        .containsExactly(
            new FieldError("port-publish[1].internal.ports", "80/tcp is already published by port-publish[0]"),
            new FieldError("port-publish[2].external.ports", "host port 9000/tcp is already used by port-publish[0]"));
  }

  @Test
  void refusesInfiniteNumbers() {
    // Jackson reads 1e999 as an infinite double, which has no decimal value.
    assertThat(errors(config("\"version\": 1e999, \"resources\": {\"ram\": 1e999, \"cpu\": -1e999, \"gpu\": 1e999}")))
        .extracting(FieldError::field)
        .containsExactly("version", "resources.ram", "resources.cpu", "resources.gpu");
    assertThat(errors(config("\"version\": true")).get(0).reason()).isEqualTo("must be a string or a number, not a boolean");
  }

  @Test
  void refusesBadEnumsAndNames() {
    assertThat(errors(config("\"restart-policy\": \"sometimes\", \"os\": \"\"")))
        .containsExactly(
            new FieldError("os", "must not be blank"),
            new FieldError("restart-policy",
                "\"sometimes\" is not a restart policy: use always, on-failure or never"));
  }

  /**
   * Robustness: every field of a full config replaced, one at a time, by every kind of JSON value
   * (and random deletions) gives a spec or a ValidationException, never another exception.
   */
  @Test
  void neverThrowsAnythingButValidationException() throws IOException {
    ObjectNode full = EnvironmentContractWriter.toContract(
        EnvironmentSpecParser.parse(resource("seed-001-environment.json"), DEFAULTS, LIMITS), MAPPER);
    full.putArray("command").add("x");
    full.putObject("env").put("A", "b");
    full.putObject("constraints").put("k", "v");
    full.putObject("os").put("image-name", "ubuntu").put("version", "22.04").put("tags", "22.04");
    List<JsonNode> junk = List.of(
        MAPPER.nullNode(), MAPPER.createArrayNode(), MAPPER.createObjectNode(), MAPPER.getNodeFactory().textNode(""),
        MAPPER.getNodeFactory().textNode("-1"), MAPPER.getNodeFactory().numberNode(-1),
        MAPPER.getNodeFactory().numberNode(1e300), MAPPER.getNodeFactory().booleanNode(true),
        MAPPER.readTree("[null, 1, {}]"), MAPPER.readTree("{\"ports\": null, \"x\": []}"));
    List<String> paths = new ArrayList<>();
    collectPaths(full, "", paths);
    for (String path : paths) {
      for (JsonNode value : junk) {
        ObjectNode mutated = full.deepCopy();
        replace(mutated, path, value);
        parseQuietly(mutated);
      }
    }
    Random random = new Random(42);
    for (int i = 0; i < 500; i++) {
      ObjectNode mutated = full.deepCopy();
      for (int j = 0; j < 3; j++) {
        replace(mutated, paths.get(random.nextInt(paths.size())), junk.get(random.nextInt(junk.size())));
      }
      parseQuietly(mutated);
    }
  }

  private static void parseQuietly(JsonNode root) {
    try {
      EnvironmentSpecParser.parse(root, DEFAULTS, LIMITS);
    } catch (ValidationException expected) {
      assertThat(expected.errors()).isNotEmpty();
    }
  }

  private static void collectPaths(JsonNode node, String path, List<String> paths) {
    if (!path.isEmpty()) {
      paths.add(path);
    }
    if (node.isObject()) {
      node.properties().forEach(e -> collectPaths(e.getValue(), path + "/" + e.getKey(), paths));
    } else if (node.isArray()) {
      for (int i = 0; i < node.size(); i++) {
        collectPaths(node.get(i), path + "/" + i, paths);
      }
    }
  }

  private static void replace(JsonNode root, String pointer, JsonNode value) {
    int slash = pointer.lastIndexOf('/');
    JsonNode parent = root.at(pointer.substring(0, slash));
    String last = pointer.substring(slash + 1);
    if (parent instanceof ObjectNode object) {
      object.set(last, value);
    } else if (parent instanceof ArrayNode array && last.matches("\\d+") && Integer.parseInt(last) < array.size()) {
      array.set(Integer.parseInt(last), value);
    }
  }

  /** {@code spec} as clients see it: every variable's value (env and secret-env) hidden. */
  static EnvironmentSpec valuesHidden(EnvironmentSpec spec) {
    return new EnvironmentSpec(
        spec.name(), spec.version(), spec.os(), spec.osRelease(), spec.languages(), spec.resources(), spec.datasets(),
        spec.ports(), spec.storage(), spec.command(), EnvironmentSpec.hidingValues(spec.env()), spec.constraints(),
        spec.restartPolicy(), EnvironmentSpec.hidingValues(spec.secretEnv()));
  }

  private static Map<String, String> orderedMap(String... keysAndValues) {
    Map<String, String> map = new LinkedHashMap<>();
    for (int i = 0; i < keysAndValues.length; i += 2) {
      map.put(keysAndValues[i], keysAndValues[i + 1]);
    }
    return map;
  }

  private static ObjectNode base() {
    return MAPPER.createObjectNode().put("env-name", "a").put("os", "debian");
  }

  /** A minimal valid config with {@code fields} added (or overriding env-name/os). */
  private static String config(String fields) {
    return "{\"env-name\": \"a\", \"os\": \"debian\", " + fields + "}";
  }

  private static EnvironmentSpec parse(String json) {
    try {
      return EnvironmentSpecParser.parse(MAPPER.readTree(json), DEFAULTS, LIMITS);
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  private static List<FieldError> errors(String json) {
    try {
      return errors(MAPPER.readTree(json));
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  private static List<FieldError> errors(JsonNode root) {
    ValidationException e =
        catchThrowableOfType(ValidationException.class, () -> EnvironmentSpecParser.parse(root, DEFAULTS, LIMITS));
    assertThat(e).as("expected a ValidationException").isNotNull();
    return e.errors();
  }

  static JsonNode resource(String name) throws IOException {
    try (InputStream in = EnvironmentSpecParserTest.class.getResourceAsStream(name)) {
      assertThat(in).as(name).isNotNull();
      return MAPPER.readTree(in);
    }
  }
}
