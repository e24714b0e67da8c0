package io.dcloud.environment;

import static io.dcloud.environment.EnvironmentSpecParserFixture.DEFAULTS;
import static io.dcloud.environment.EnvironmentSpecParserFixture.LIMITS;
import static io.dcloud.environment.EnvironmentSpecParserFixture.MAPPER;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.assertj.core.api.Assertions.tuple;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import io.dcloud.spec.EnvironmentSpec;
import io.dcloud.spec.EnvironmentSpec.PortSpec;
import io.dcloud.validation.FieldError;
import io.dcloud.validation.ValidationException;
import java.math.BigDecimal;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The bounds an environment config meets beyond its syntax: number lengths, counts, reserved names, host ports. */
class SpecLimitsTest {
  private static final String NUMBER_TOO_LONG = "a number of at most 32 characters";

  @Test
  void aNumberWrittenAsLongTextIsRefusedInEveryNumericField() {
    String huge = "0".repeat(100_000) + "1";
    ObjectNode config = base();
    config.putObject("resources").put("ram", huge).put("cpu", huge).put("gpu", huge).put("storage", huge);
    ObjectNode port = config.putArray("port-publish").addObject();
    port.putObject("internal").put("ports", huge);
    port.putObject("external").put("ports", huge);
    config.putArray("storage").addObject().put("target", "/data").put("size", huge);

    List<FieldError> errors = errors(config, LIMITS);

    assertThat(errors).extracting(FieldError::field).containsExactly(
        "resources.ram", "resources.cpu", "resources.gpu", "resources.storage", "port-publish[0].internal.ports",
        "port-publish[0].external.ports", "storage[0].size");
    assertThat(errors).allSatisfy(e -> assertThat(e.reason()).isEqualTo(
        "is 100001 characters long: write " + NUMBER_TOO_LONG));
  }

  @Test
  void aHugeJsonNumberIsRefusedWithoutWritingItOut() {
    ObjectNode config = base();
    config.putObject("resources").put("gpu", new BigDecimal("1e300"));
    config.putObject("os").put("image-name", "ubuntu").put("version", new BigDecimal("1e-999999"));

    assertThat(errors(config, LIMITS)).extracting(FieldError::field, e -> e.reason().endsWith(NUMBER_TOO_LONG))
        .containsExactly(
            tuple("os.version", true),
            tuple("resources.gpu", true));
  }

  @Test
  void everyListIsBoundedByItsConfiguredLimit() {
    SpecLimits small = limits("""
        dcloud.environment.limits {
          max-ports = 1, max-volumes = 1, max-variables = 1, max-constraints = 1, max-command-args = 1,
          max-languages = 1, max-libraries = 1, max-datasets = 1
        }""");
    ObjectNode config = base();
    ArrayNode ports = config.putArray("port-publish");
    ports.addObject().putObject("internal").put("ports", 1);
    ports.addObject().putObject("internal").put("ports", 2);
    ArrayNode storage = config.putArray("storage");
    storage.addObject().put("target", "/a").put("size", "1G");
    storage.addObject().put("target", "/b").put("size", "1G");
    config.putObject("env").put("A", "1").put("B", "2");
    config.putObject("constraints").put("a", "1").put("b", "2");
    config.putArray("command").add("sleep").add("1");
    ArrayNode languages = config.putArray("languages");
    languages.addObject().put("language-name", "python").putArray("libraries").add("numpy");
    languages.addObject().put("language-name", "r");
    ObjectNode category = config.putArray("dataset").addObject().put("category-name", "c");
    category.putArray("db").addObject().put("db-name", "d").putArray("dataset")
        .add(MAPPER.createObjectNode().put("dataset-name", "x")).add(MAPPER.createObjectNode().put("dataset-name", "y"));

    assertThat(errors(config, small)).containsExactly(
        new FieldError("languages", "lists 2 languages: at most 1 are allowed"),
        new FieldError("dataset[0].db[0].dataset", "lists 2 datasets: at most 1 are allowed"),
        new FieldError("port-publish", "lists 2 ports: at most 1 are allowed"),
        new FieldError("storage", "lists 2 volumes: at most 1 are allowed"),
        new FieldError("command", "lists 2 arguments: at most 1 are allowed"),
        new FieldError("env", "lists 2 variables: at most 1 are allowed"),
        new FieldError("constraints", "lists 2 constraints: at most 1 are allowed"));
  }

  @Test
  void theDefaultsAllowSixtyFourPortsAndBoundTheBytesOfCommandAndEnv() {
    ObjectNode config = base();
    ArrayNode ports = config.putArray("port-publish");
    for (int i = 1; i <= 65; i++) {
      ports.addObject().putObject("internal").put("ports", i);
    }
    config.putArray("command").add("x".repeat(64 * 1024)).add("y");
    config.putObject("env").put("BIG", "z".repeat(64 * 1024));

    assertThat(errors(config, LIMITS)).containsExactly(
        new FieldError("port-publish", "lists 65 ports: at most 64 are allowed"),
        new FieldError("command", "holds 65537 bytes of arguments: at most 65536 are allowed"),
        new FieldError("env", "holds 65540 bytes of variables (as NAME=value): at most 65536 are allowed"));
    ports.remove(64);
    config.remove(List.of("command", "env"));
    assertThat(parse(config, LIMITS).ports()).hasSize(64);
  }

  @Test
  void variablesTheRuntimeSetsAreReserved() {
    ObjectNode config = base();
    config.putObject("env")
        .put("NVIDIA_VISIBLE_DEVICES", "all")
        .put("nvidia_driver_capabilities", "all")
        .put("CUDA_VISIBLE_DEVICES", "0")
        .put("DCLOUD_NODE", "x")
        .put("MY_NVIDIA_HOME", "/opt")
        .put("CUDA_HOME", "/usr/local/cuda");

    assertThat(errors(config, LIMITS)).containsExactly(
        new FieldError("env.NVIDIA_VISIBLE_DEVICES", "reserved: the container runtime sets NVIDIA_* itself; choose another name"),
        new FieldError("env.nvidia_driver_capabilities", "reserved: the container runtime sets NVIDIA_* itself; choose another name"),
        new FieldError("env.CUDA_VISIBLE_DEVICES",
            "reserved: the container runtime sets CUDA_VISIBLE_DEVICES itself; choose another name"),
        new FieldError("env.DCLOUD_NODE", "reserved: the container runtime sets DCLOUD_* itself; choose another name"));

    SpecLimits none = limits("dcloud.environment.reserved-variables = []");
    assertThat(parse(config, none).env()).containsKeys("NVIDIA_VISIBLE_DEVICES", "MY_NVIDIA_HOME");
    assertThatThrownBy(() -> limits("dcloud.environment.reserved-variables = [\"A*B\"]"))
        .isInstanceOf(ConfigException.BadValue.class);
  }

  @Test
  void dcloudsOwnPortsFromTheNodesConfigAndPrivilegedPortsAreNotPublishable() {
    SpecLimits node = limits("""
        dcloud.http.port = 8081
        pekko.remote.artery.canonical.port = 25520
        pekko.remote.artery.bind.port = ""
        pekko.management.http.port = 0
        dcloud.cassandra.contact-points = ["10.0.0.5:9043"]
        dcloud.cassandra.embedded { cql-port = 9042, storage-port = 7000 }
        com.sun.management.jmxremote.port = "9010"
        """);

    assertThat(node.hostPorts().own()).containsOnlyKeys(8081, 25520, 9043, 9042, 7000, 9010, 1883, 7199);
    for (int own : List.of(8081, 25520, 9043, 9042, 7000, 9010, 1883, 7199)) {
      assertThat(hostPortErrors(node, own)).singleElement().satisfies(e -> {
        assertThat(e.field()).isEqualTo("port-publish[0].external.ports");
        assertThat(e.reason()).startsWith("host port " + own + " is one of DCloud's own: ");
      });
    }
    assertThat(hostPortErrors(node, 8081).get(0).reason())
        .isEqualTo("host port 8081 is one of DCloud's own: the HTTP API (dcloud.http.port); choose another");
    assertThat(hostPortErrors(node, 80)).containsExactly(new FieldError("port-publish[0].external.ports",
        "host port 80 is below 1024 (privileged ports are the system's): choose one in 1024-65535"));
    // The seeds' examples publish 9000 and 9080.
    assertThat(hostPortErrors(node, 9000)).isEmpty();
    assertThat(hostPortErrors(node, 9080)).isEmpty();
  }

  @Test
  void anAdminNarrowsThePublishableRange() {
    SpecLimits narrow = limits("dcloud.environment.host-ports.allowed = \"30000-32767, 9000\"");

    assertThat(hostPortErrors(narrow, 9000)).isEmpty();
    assertThat(hostPortErrors(narrow, 31000)).isEmpty();
    assertThat(hostPortErrors(narrow, 9080)).containsExactly(new FieldError("port-publish[0].external.ports",
        "host port 9080 is outside the ports this cluster lets environments publish: choose one in 30000-32767, 9000"));
    for (String bad : List.of("80-9000", "9000-8000", "x", "1024-70000", "")) {
      assertThatThrownBy(() -> limits("dcloud.environment.host-ports.allowed = \"" + bad + "\""))
          .as(bad).isInstanceOf(ConfigException.BadValue.class);
    }
  }

  private static List<FieldError> hostPortErrors(SpecLimits limits, int hostPort) {
    ObjectNode config = base();
    ObjectNode port = config.putArray("port-publish").addObject();
    port.putObject("internal").put("ports", 80);
    port.putObject("external").put("ports", hostPort);
    ValidationException e =
        catchThrowableOfType(ValidationException.class, () -> EnvironmentSpecParser.parse(config, DEFAULTS, limits));
    if (e == null) {
      assertThat(parse(config, limits).ports()).containsExactly(new PortSpec(hostPort, 80, "tcp"));
      return List.of();
    }
    return e.errors();
  }

  private static SpecLimits limits(String overrides) {
    Config config = ConfigFactory.parseString(overrides).withFallback(ConfigFactory.load()).resolve();
    return SpecLimits.fromConfig(config);
  }

  private static ObjectNode base() {
    return MAPPER.createObjectNode().put("env-name", "a").put("os", "debian");
  }

  private static EnvironmentSpec parse(ObjectNode config, SpecLimits limits) {
    return EnvironmentSpecParser.parse(config, DEFAULTS, limits);
  }

  private static List<FieldError> errors(ObjectNode config, SpecLimits limits) {
    ValidationException e =
        catchThrowableOfType(ValidationException.class, () -> EnvironmentSpecParser.parse(config, DEFAULTS, limits));
    assertThat(e).as("expected a ValidationException").isNotNull();
    return e.errors();
  }
}
