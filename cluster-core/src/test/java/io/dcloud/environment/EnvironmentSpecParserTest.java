package io.dcloud.environment;

import static io.dcloud.environment.EnvironmentSpecParserFixture.DEFAULTS;
import static io.dcloud.environment.EnvironmentSpecParserFixture.LIMITS;
import static io.dcloud.environment.EnvironmentSpecParserFixture.config;
import static io.dcloud.environment.EnvironmentSpecParserFixture.parse;
import static io.dcloud.environment.EnvironmentSpecParserFixture.resource;
import static io.dcloud.resources.Quantities.GIB;
import static io.dcloud.resources.Quantities.MIB;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dcloud.resources.Resources;
import io.dcloud.spec.EnvironmentSpec;
import io.dcloud.spec.EnvironmentSpec.DatasetRef;
import io.dcloud.spec.EnvironmentSpec.LanguageSpec;
import io.dcloud.spec.EnvironmentSpec.Lifecycle;
import io.dcloud.spec.EnvironmentSpec.OsRelease;
import io.dcloud.spec.EnvironmentSpec.PortSpec;
import io.dcloud.spec.EnvironmentSpec.RestartPolicy;
import io.dcloud.spec.EnvironmentSpec.VolumeSpec;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Environment configs the parser accepts, and the spec it reads from each: the seed's, the original
 * project's, minimal and full ones. What it refuses is in {@link EnvironmentSpecValidationTest}.
 */
class EnvironmentSpecParserTest {

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

  @Test
  void readsAKeptVolumeAsPersistentWithItsSizeLeftToTheGatewayUnlessGiven() {
    EnvironmentSpec spec = parse(config("""
        "storage": [{"target": "/data", "volume": "dcloud-n1-abc-0"},
                    {"target": "/more", "volume": "dcloud-n1-abc-1", "size": "2G", "lifecycle": "persistent"}]"""));

    assertThat(spec.storage()).containsExactly(
        new VolumeSpec("/data", 0, Lifecycle.PERSISTENT, new EnvironmentSpec.KeptVolume("dcloud-n1-abc-0", null)),
        new VolumeSpec("/more", 2 * GIB, Lifecycle.PERSISTENT, new EnvironmentSpec.KeptVolume("dcloud-n1-abc-1", null)));
    assertThat(spec.volumeNames("n2", "e2", Lifecycle.PERSISTENT)).containsExactly("dcloud-n1-abc-0", "dcloud-n1-abc-1");
    assertThat(spec.keptVolumesNode()).as("found by the gateway").isNull();
    JsonNode written = EnvironmentContractWriter.toContract(spec, new ObjectMapper());
    assertThat(written.path("storage").get(0).has("size")).as("a size not yet known is not written").isFalse();
    assertThat(parse(written.toString()).storage()).isEqualTo(spec.storage());
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
  void ignoresMongoArtefacts() {
    EnvironmentSpec spec = parse(config("""
        "_id": {"$oid": "644ece15809917bf2dc3956c"}, "id": 3, "config_id": 0, "is active": 1, "is_active": 1,
        "creation_time": "x", "last updation time": {"$date": "2023"}, "last_updation_time": 1,
        "saved_at": {"$date": "2023-04-30T20:22:45.283Z"}"""));

    assertThat(spec.name()).isEqualTo("a");
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
}
