package io.dcloud.template;

import static io.dcloud.resources.Quantities.GIB;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.cbor.CBORFactory;
import com.typesafe.config.ConfigFactory;
import io.dcloud.catalog.Catalog;
import io.dcloud.catalog.CatalogCheck;
import io.dcloud.catalog.DefaultCatalog;
import io.dcloud.catalog.DockerfileGenerator;
import io.dcloud.environment.EnvironmentSpecParser;
import io.dcloud.environment.SpecLimits;
import io.dcloud.resources.Resources;
import io.dcloud.secret.SecretBox;
import io.dcloud.spec.EnvironmentSpec;
import io.dcloud.spec.EnvironmentSpec.LanguageSpec;
import io.dcloud.spec.EnvironmentSpec.PortSpec;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class DefaultTemplatesTest {
  /** The templates' generated secrets are sealed like any other. */
  private static final SecretBox BOX = SecretBox.throwaway();

  private static final Resources DEFAULTS = new Resources(1000, GIB, 0, 10 * GIB, null);
  private static final SpecLimits LIMITS = SpecLimits.fromConfig(ConfigFactory.load());

  @Test
  void shipsThePythonTemplates() {
    assertThat(DefaultTemplates.load()).extracting(Template::name).containsExactly("python-ml", "pytorch", "jupyter");
    assertThat(DefaultTemplates.load()).allSatisfy(t -> assertThat(t.description()).isNotBlank());
  }

  @Test
  void everyTemplateParsesAndFitsTheDefaultCatalog() {
    Catalog catalog = DefaultCatalog.load();
    for (Template template : DefaultTemplates.load()) {
      EnvironmentSpec spec = EnvironmentSpecParser.parse(template.spec(), DEFAULTS, LIMITS, BOX);
      assertThat(spec.os()).as(template.name()).isEqualTo("debian");
      assertThat(CatalogCheck.check(catalog, spec)).as(template.name()).isEmpty();
      assertThat(DockerfileGenerator.generate(catalog, spec).tag()).startsWith("dcloud/env-debian:");
    }
  }

  @Test
  void templatesAskForWhatTheyPromise() {
    Map<String, EnvironmentSpec> specs = DefaultTemplates.load().stream()
        .collect(Collectors.toMap(Template::name, t -> EnvironmentSpecParser.parse(t.spec(), DEFAULTS, LIMITS, BOX)));

    assertThat(specs.get("python-ml").languages()).containsExactly(new LanguageSpec("python",
        List.of("numpy", "pandas", "scikit-learn", "scipy", "matplotlib")));
    assertThat(specs.get("python-ml").resources().milliCpus()).isEqualTo(2000);
    assertThat(specs.get("python-ml").resources().memoryBytes()).isEqualTo(4 * GIB);
    assertThat(specs.get("pytorch").languages().get(0).libraries()).containsExactly("torch", "numpy");
    assertThat(specs.get("pytorch").resources().memoryBytes()).isEqualTo(8 * GIB);
    EnvironmentSpec jupyter = specs.get("jupyter");
    assertThat(jupyter.languages().get(0).libraries()).containsExactly("jupyter-notebook", "numpy", "pandas", "matplotlib");
    assertThat(jupyter.ports()).containsExactly(new PortSpec(null, 8888, "tcp"));
    // As uid 1000 (no --allow-root), and no token on the command line: Notebook reads JUPYTER_TOKEN
    // from its environment, a secret generated for each environment, so the server is never open.
    // Served under the proxy's path, which the node gives it in DCLOUD_PROXY_PREFIX (none: at the root).
    assertThat(jupyter.command()).containsExactly("sh", "-c", "exec jupyter notebook --ip=0.0.0.0 --port=8888"
        + " --no-browser ${DCLOUD_PROXY_PREFIX:+--NotebookApp.base_url=$DCLOUD_PROXY_PREFIX/8888/}");
    assertThat(jupyter.env()).doesNotContainKey("JUPYTER_TOKEN");
    String token = BOX.open("JUPYTER_TOKEN", jupyter.secretEnv().get("JUPYTER_TOKEN"));
    assertThat(token).hasSize(32).isNotEqualTo(SecretBox.GENERATED);
  }

  @Test
  void aTemplateIsInstantiatedByMergingOverrides() throws Exception {
    ObjectMapper mapper = new ObjectMapper();
    Template pythonMl = DefaultTemplates.load().get(0);

    EnvironmentSpec spec = EnvironmentSpecParser.parse(
        TemplateMerge.apply(pythonMl.spec(), mapper.readTree("{\"env-name\": \"mine\", \"resources\": {\"ram\": \"6G\"}}")),
        DEFAULTS, LIMITS);

    assertThat(spec.name()).isEqualTo("mine");
    assertThat(spec.resources().memoryBytes()).isEqualTo(6 * GIB);
    assertThat(spec.resources().milliCpus()).isEqualTo(2000);
  }

  @Test
  void templatesSurviveCborLikeEveryStoredValue() throws Exception {
    ObjectMapper cbor = new ObjectMapper(new CBORFactory());
    for (Template template : DefaultTemplates.load()) {
      assertThat(cbor.readValue(cbor.writeValueAsBytes(template), Template.class)).isEqualTo(template);
    }
  }
}
