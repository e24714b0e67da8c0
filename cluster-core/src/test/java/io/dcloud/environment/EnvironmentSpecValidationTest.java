package io.dcloud.environment;

import static io.dcloud.environment.EnvironmentSpecParserFixture.DEFAULTS;
import static io.dcloud.environment.EnvironmentSpecParserFixture.LIMITS;
import static io.dcloud.environment.EnvironmentSpecParserFixture.MAPPER;
import static io.dcloud.environment.EnvironmentSpecParserFixture.config;
import static io.dcloud.environment.EnvironmentSpecParserFixture.parse;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dcloud.validation.FieldError;
import io.dcloud.validation.ValidationException;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Environment configs the parser refuses, and the field errors it reports: every one at once, each naming its field. */
class EnvironmentSpecValidationTest {

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
          + " os, languages, resources, dataset, port-publish, storage, command, env, secret-env, constraints, restart-policy, idle-timeout, max-runtime");
    });
    assertThat(errors(config("\"resources\": {\"rma\": \"1G\"}"))).extracting(FieldError::field)
        .containsExactly("resources.rma");
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
  void refusesBadKeptVolumes() {
    assertThat(errors(config("""
        "storage": [{"target": "/a", "volume": "my-data"}, {"target": "/b", "volume": 3},
                    {"target": "/c", "volume": "dcloud-n1-x-0", "lifecycle": "temporary"},
                    {"target": "/d", "volume": "dcloud-n1-y-0"}, {"target": "/e", "volume": "dcloud-n1-y-0"}]""")))
        .containsExactly(
            new FieldError("storage[0].volume", "\"my-data\" is not a DCloud volume: name one an environment's"
                + " persistentVolumes listed, e.g. dcloud-node1-<environment id>-0"),
            new FieldError("storage[1].volume", "must be a string, not a number"),
            new FieldError("storage[2].lifecycle",
                "a kept volume is persistent: its data outlives this environment as it outlived the last"),
            new FieldError("storage[4].volume", "\"dcloud-n1-y-0\" is already mounted by storage[3]"));
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

  private static ObjectNode base() {
    return MAPPER.createObjectNode().put("env-name", "a").put("os", "debian");
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
}
