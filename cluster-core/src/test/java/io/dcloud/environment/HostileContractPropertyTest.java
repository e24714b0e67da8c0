package io.dcloud.environment;

import static io.dcloud.resources.Quantities.GIB;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.typesafe.config.ConfigFactory;
import io.dcloud.catalog.CatalogParser;
import io.dcloud.resources.Resources;
import io.dcloud.secret.SecretBox;
import io.dcloud.spec.EnvironmentSpec;
import io.dcloud.validation.ValidationException;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.Tuple.Tuple2;

/**
 * Hostile input for the contract parsers: valid documents with values replaced by anything JSON can
 * hold (random trees, huge and non-finite numbers, deep nesting, unicode, control characters, long
 * strings) at every known field, and random documents. The parsers may accept or refuse, but they
 * refuse only with field errors: nothing else may escape, since anything else is a 500. The tries
 * (3,600 in all) keep the class under about 15 s on a loaded two-core machine.
 */
class HostileContractPropertyTest {

  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final JsonNodeFactory JSON = JsonNodeFactory.instance;
  private static final Resources DEFAULTS = new Resources(1000, 2 * GIB, 0, 10 * GIB, null);
  private static final SpecLimits LIMITS = SpecLimits.fromConfig(ConfigFactory.load());
  private static final SecretBox SECRETS = new SecretBox(new byte[SecretBox.KEY_BYTES]);

  /** An environment config holding every field the contract knows. */
  private static final ObjectNode FULL_CONFIG = fullConfig();
  private static final List<String> CONFIG_PATHS = JsonPointers.paths(FULL_CONFIG);

  private static final JsonNode FULL_CATALOG = read("""
      [{"os": "debian", "base-image": "debian:bookworm", "init-steps": ["apt-get update"],
        "specifications": {"python": {"installation-steps": ["apt-get install -y python3"],
                                      "libraries": {"numpy": ["pip install numpy"]}}}}]""");
  private static final List<String> CATALOG_PATHS = JsonPointers.paths(FULL_CATALOG);

  /** Built once: generating them each try would cost more than parsing them. */
  private static final List<JsonNode> HUGE = List.of(
      JSON.textNode("0".repeat(100_000) + "1"),
      JSON.textNode("9".repeat(50_000) + "G"),
      JSON.textNode("0." + "0".repeat(50_000) + "1"),
      JSON.textNode(" ".repeat(10_000) + "1"),
      JSON.textNode("x".repeat(100_000)),
      JSON.textNode("/" + "a/".repeat(5_000)),
      JSON.numberNode(new BigInteger("9".repeat(1_000))),
      JSON.numberNode(new BigDecimal(BigInteger.ONE, -999_999_999)),
      JSON.numberNode(new BigDecimal(BigInteger.ONE, 999_999_999)),
      // As deep as Jackson reads a request (StreamReadConstraints' default nesting limit is 1000).
      nested(999, true),
      nested(999, false),
      manyEntries(20_000, true),
      manyEntries(20_000, false));

  @Property(tries = 2000)
  void aConfigWithHostileValuesGivesASpecOrFieldErrors(@ForAll("configMutations") List<Tuple2<Integer, JsonNode>> mutations) {
    ObjectNode config = FULL_CONFIG.deepCopy();
    for (Tuple2<Integer, JsonNode> mutation : mutations) {
      // A copy: a later mutation may write into this one's value, and the values are shared (HUGE's
      // across every try, and jqwik's between tuples), so the original could end up inside itself.
      JsonPointers.replace(config, CONFIG_PATHS.get(mutation.get1()), mutation.get2().deepCopy());
    }
    EnvironmentSpec spec = specOrFieldErrors(config);
    if (spec != null) {
      // Whatever is accepted is written back in contract form and reads back the same, but for the
      // variables' values, which are write-only (secret ones also encrypted afresh).
      EnvironmentSpec reread = specOrFieldErrors(EnvironmentContractWriter.toContract(spec, MAPPER));
      assertThat(EnvironmentSpecParserFixture.valuesHidden(reread)).isEqualTo(EnvironmentSpecParserFixture.valuesHidden(spec));
    }
  }

  @Property(tries = 1000)
  void anyJsonDocumentGivesASpecOrFieldErrors(@ForAll("hostileValues") JsonNode root) {
    specOrFieldErrors(root);
    if (root.isObject()) {
      ObjectNode withName = ((ObjectNode) root.deepCopy()).put("env-name", "a").put("os", "debian");
      specOrFieldErrors(withName);
    }
  }

  @Property(tries = 600)
  void aCatalogWithHostileValuesGivesACatalogOrFieldErrors(
      @ForAll("catalogMutations") List<Tuple2<Integer, JsonNode>> mutations) {
    JsonNode catalog = FULL_CATALOG.deepCopy();
    for (Tuple2<Integer, JsonNode> mutation : mutations) {
      JsonPointers.replace(catalog, CATALOG_PATHS.get(mutation.get1()), mutation.get2().deepCopy());
    }
    onlyFieldErrors(() -> CatalogParser.parse(catalog));
  }

  @Provide
  Arbitrary<List<Tuple2<Integer, JsonNode>>> configMutations() {
    return mutations(CONFIG_PATHS.size());
  }

  @Provide
  Arbitrary<List<Tuple2<Integer, JsonNode>>> catalogMutations() {
    return mutations(CATALOG_PATHS.size());
  }

  @Provide
  Arbitrary<JsonNode> hostileValues() {
    return Arbitraries.recursive(this::scalars, this::containers, 0, 4);
  }

  private Arbitrary<List<Tuple2<Integer, JsonNode>>> mutations(int paths) {
    Arbitrary<Integer> path = Arbitraries.integers().between(0, paths - 1);
    return Combinators.combine(path, hostileValues()).as(Tuple::of).list().ofMinSize(1).ofMaxSize(4);
  }

  private Arbitrary<JsonNode> scalars() {
    return Arbitraries.oneOf(
        Arbitraries.of(JSON.nullNode(), JSON.booleanNode(true), JSON.booleanNode(false), JSON.textNode("")),
        // By index: jqwik hashes the values it picks from, and hashing a deep tree recurses as deep.
        Arbitraries.integers().between(0, HUGE.size() - 1).map(HUGE::get),
        Arbitraries.integers().map(JSON::numberNode),
        Arbitraries.longs().map(JSON::numberNode),
        Arbitraries.doubles().withSpecialValue(Double.NaN).withSpecialValue(Double.POSITIVE_INFINITY)
            .withSpecialValue(Double.NEGATIVE_INFINITY).withSpecialValue(-0.0).map(JSON::numberNode),
        Combinators.combine(Arbitraries.bigIntegers().between(BigInteger.TEN.pow(40).negate(), BigInteger.TEN.pow(40)),
                Arbitraries.integers().between(-1_000_000, 1_000_000))
            .as((unscaled, scale) -> JSON.numberNode(new BigDecimal(unscaled, scale))),
        Arbitraries.strings().all().ofMaxLength(40).map(JSON::textNode),
        Arbitraries.strings().withChars("0123456789.-+ eEkKmMgGtTpPiIbB").ofMaxLength(40).map(JSON::textNode),
        Arbitraries.of(
                "tcp", "UDP", "sctp", "always", "on-failure", "never", "persistent", "temporary", "/data", "/proc/1",
                "/a/../b", "/a:b", "a\u0000b", "a\nb", "NVIDIA_VISIBLE_DEVICES", "debian", "ubuntu", "python", "8080",
                "80", "0", "-1", "65536", "1e3", "0x10", "\uD83D\uDE00", "\uD800", "1.5G", "500m", "0.0001")
            .map(JSON::textNode));
  }

  private Arbitrary<JsonNode> containers(Arbitrary<JsonNode> inner) {
    Arbitrary<String> keys = Arbitraries.oneOf(
        Arbitraries.of(
            "env-name", "os", "ports", "internal", "external", "protocol", "target", "size", "lifecycle", "ram", "cpu",
            "gpu", "storage", "image-name", "version", "tags", "language-name", "libraries", "$oid", "_id", "",
            "NVIDIA_VISIBLE_DEVICES"),
        Arbitraries.strings().all().ofMaxLength(20));
    Arbitrary<JsonNode> arrays = inner.list().ofMaxSize(4).map(elements -> {
      ArrayNode array = JSON.arrayNode();
      elements.forEach(array::add);
      return array;
    });
    Arbitrary<JsonNode> objects = Combinators.combine(keys, inner).as(Tuple::of).list().ofMaxSize(4).map(entries -> {
      ObjectNode object = JSON.objectNode();
      entries.forEach(entry -> object.set(entry.get1(), entry.get2()));
      return object;
    });
    return Arbitraries.oneOf(arrays, objects);
  }

  /** The spec, or null when the config was refused with field errors; any other exception fails. */
  private static EnvironmentSpec specOrFieldErrors(JsonNode config) {
    EnvironmentSpec[] spec = new EnvironmentSpec[1];
    onlyFieldErrors(() -> spec[0] = EnvironmentSpecParser.parse(config, DEFAULTS, LIMITS, SECRETS));
    return spec[0];
  }

  private static void onlyFieldErrors(Runnable parse) {
    try {
      parse.run();
    } catch (ValidationException refused) {
      assertThat(refused.errors()).isNotEmpty().allSatisfy(error -> {
        assertThat(error.field()).isNotNull();
        assertThat(error.reason()).isNotBlank();
      });
    }
  }

  private static ObjectNode fullConfig() {
    ObjectNode config = (ObjectNode) read("""
        {"env-name": "full", "version": "2", "os": {"image-name": "ubuntu", "version": "22.04", "tags": "22.04"},
         "languages": [{"language-name": "python", "libraries": ["numpy", "pandas"]}],
         "resources": {"ram": "8G", "cpu": "4", "gpu": "1", "storage": 54, "gpu-model": "H100"},
         "dataset": [{"category-name": "images", "db": [{"db-name": "imagenet",
                      "dataset": [{"dataset-name": "train", "version": "1"}]}]}],
         "port-publish": [{"external": {"ports": "9000"}, "internal": {"ports": "8888", "protocol": "tcp"}},
                          {"internal": {"ports": 6006}}],
         "storage": [{"target": "/workspace", "size": "10737418240", "lifecycle": "persistent"}],
         "command": ["sleep", "infinity"], "env": {"MODE": "train"}, "secret-env": {"TOKEN": "s3cret"},
         "constraints": {"zone": "a"},
         "restart-policy": "on-failure"}""");
    EnvironmentSpecParser.parse(config, DEFAULTS, LIMITS, SECRETS); // valid, so each try breaks only what it changes
    return config;
  }

  private static JsonNode read(String json) {
    try {
      return MAPPER.readTree(json);
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  private static JsonNode nested(int depth, boolean arrays) {
    JsonNode node = JSON.textNode("bottom");
    for (int i = 0; i < depth; i++) {
      node = arrays ? JSON.arrayNode().add(node) : JSON.objectNode().set("ports", node);
    }
    return node;
  }

  private static JsonNode manyEntries(int count, boolean array) {
    if (array) {
      ArrayNode entries = JSON.arrayNode();
      for (int i = 0; i < count; i++) {
        entries.add(JSON.objectNode().set("internal", JSON.objectNode().put("ports", i % 70_000)));
      }
      return entries;
    }
    ObjectNode entries = JSON.objectNode();
    for (int i = 0; i < count; i++) {
      entries.put("V" + i, "x");
    }
    return entries;
  }
}
