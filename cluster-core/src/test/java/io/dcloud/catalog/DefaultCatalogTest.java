package io.dcloud.catalog;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.dcloud.catalog.Catalog.LanguageEntry;
import io.dcloud.catalog.Catalog.OsEntry;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

class DefaultCatalogTest {

  private static final String APT = "DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends ";

  @Test
  void loadsAndPassesValidation() {
    Catalog catalog = DefaultCatalog.load();

    assertThat(catalog.entries()).extracting(OsEntry::os).containsExactly("debian", "ubuntu");
    // Re-validate explicitly: what load() returned must survive the parser as any admin upload would.
    assertThat(CatalogParser.parse(CatalogParser.toContract(catalog, new ObjectMapper()))).isEqualTo(catalog);
  }

  @Test
  void debianNeedsOnlyDebiansMirror() {
    OsEntry debian = DefaultCatalog.load().entries().get(0);

    assertThat(debian.baseImage()).isEqualTo("debian:bookworm");
    assertThat(debian.initSteps()).containsExactly("apt-get update");
    assertThat(debian.specifications().keySet()).containsExactly("python", "node-js", "golang", "r");
    assertThat(debian.specifications().get("python").installationSteps()).containsExactly(APT + "python3");
    assertThat(debian.specifications().get("python").libraries()).containsExactly(
        Map.entry("numpy", List.of(APT + "python3-numpy")),
        Map.entry("pandas", List.of(APT + "python3-pandas")),
        Map.entry("scikit-learn", List.of(APT + "python3-sklearn")),
        Map.entry("scipy", List.of(APT + "python3-scipy")),
        Map.entry("matplotlib", List.of(APT + "python3-matplotlib")),
        Map.entry("torch", List.of(APT + "python3-torch")),
        Map.entry("jupyter-notebook", List.of(APT + "jupyter-notebook")),
        // What the model serving wrapper (dcloud_serve.py) needs besides scikit-learn and torch.
        Map.entry("joblib", List.of(APT + "python3-joblib")),
        Map.entry("flask", List.of(APT + "python3-flask")),
        Map.entry("waitress", List.of(APT + "python3-waitress")),
        // Apps bound to sensors and controllers talk MQTT to DCloud's broker.
        Map.entry("paho-mqtt", List.of(APT + "python3-paho-mqtt")));
    assertThat(debian.specifications().get("node-js").installationSteps()).containsExactly(APT + "nodejs npm");
    assertThat(debian.specifications().get("node-js").libraries()).containsExactly(
        Map.entry("express", List.of(APT + "node-express")), Map.entry("async-js", List.of(APT + "node-async")));
    assertThat(debian.specifications().get("golang").installationSteps()).containsExactly(APT + "golang-go");
    assertThat(debian.specifications().get("golang").libraries()).isEmpty();
    assertThat(debian.specifications().get("r").libraries()).containsOnlyKeys("ggplot2", "dplyr");
    // Every install step is non-interactive and fetches only from the apt sources.
    allSteps(debian).filter(step -> !step.equals("apt-get update"))
        .forEach(step -> assertThat(step).startsWith(APT));
  }

  @Test
  void ubuntuIsTheSeedsContractWithItsTyposFixed() {
    OsEntry ubuntu = DefaultCatalog.load().entries().get(1);

    assertThat(ubuntu.baseImage()).isEqualTo("ubuntu:22.04");
    assertThat(ubuntu.initSteps()).first().isEqualTo("apt-get -y update");
    assertThat(ubuntu.specifications().keySet()).containsExactly("python", "node-js", "golang");
    assertThat(ubuntu.specifications().get("python").installationSteps()).contains("apt-get install -y python3-pip");
    assertThat(ubuntu.specifications().get("python").libraries())
        .containsOnlyKeys("tensorflow", "scikit-learn", "numpy", "pandas", "jupyter-notebook");
    assertThat(ubuntu.specifications().get("node-js").libraries()).containsKey("gulp");
    // The OCR's "-v" for "-y", "SHOME" for "$HOME", "tar.qz" for "tar.gz" and "bash profile" are gone.
    allSteps(ubuntu).forEach(step -> assertThat(step)
        .doesNotContain(" -v ", "SHOME", ".qz", "bash profile", "source "));
  }

  private static Stream<String> allSteps(OsEntry os) {
    return Stream.concat(os.initSteps().stream(), os.specifications().values().stream()
        .flatMap((LanguageEntry l) -> Stream.concat(l.installationSteps().stream(),
            l.libraries().values().stream().flatMap(List::stream))));
  }
}
