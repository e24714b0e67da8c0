package io.dcloud.config;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * DCloud's reference settings win over a library's whatever the class path order, and everything a
 * user writes wins over both. The class paths here are made in a temporary directory: a library's
 * jar (its reference.conf), then a DCloud module's, then an application's, in that order.
 */
class DCloudConfigTest {
  @TempDir Path dir;

  private ClassLoader libraryFirst() throws IOException {
    Path library = write("library", "reference.conf", """
        journal { events-by-tag = on, timeout = 2s, url = "none" }
        """);
    Path module = write("module", "reference.conf", """
        dcloud.journal.host = "127.0.0.1"
        journal { events-by-tag = off, url = "cql://"${dcloud.journal.host} }
        """);
    Path application = write("application", "application.conf", """
        journal.timeout = 5s
        """);
    return new URLClassLoader(new URL[] {url(library), url(module), url(application)}, null);
  }

  @Test
  void aDCloudReferenceSettingWinsOverTheLibraryThatComesFirstOnTheClassPath() throws IOException {
    ClassLoader loader = libraryFirst();

    assertThat(ConfigFactory.load(loader).getBoolean("journal.events-by-tag"))
        .as("the hazard: ConfigFactory.load lets the first reference.conf win")
        .isTrue();
    Config config = DCloudConfig.load(loader, ConfigFactory.empty());
    assertThat(config.getBoolean("journal.events-by-tag")).isFalse();
    assertThat(config.getString("journal.url")).isEqualTo("cql://127.0.0.1");
  }

  @Test
  void applicationConfThenTheCallersOverridesWinOverDCloudsReference() throws IOException {
    ClassLoader loader = libraryFirst();

    Config config = DCloudConfig.load(loader, ConfigFactory.parseMap(Map.of(
        "dcloud.journal.host", "10.0.0.7", "journal.events-by-tag", "on")));

    assertThat(config.getString("journal.timeout")).isEqualTo("5s");
    assertThat(config.getBoolean("journal.events-by-tag")).isTrue();
    assertThat(config.getString("journal.url")).as("substitutions resolve over all layers").isEqualTo("cql://10.0.0.7");
  }

  @Test
  void onlyReferenceFilesThatDefineDCloudKeysAreDClouds() throws IOException {
    ClassLoader loader = libraryFirst();

    assertThat(DCloudConfig.dcloudReferenceFiles(loader))
        .singleElement()
        .satisfies(file -> assertThat(file.toString()).contains("/module/reference.conf"));
  }

  private Path write(String classPathEntry, String file, String text) throws IOException {
    Path root = Files.createDirectories(dir.resolve(classPathEntry));
    Files.writeString(root.resolve(file), text);
    return root;
  }

  private static URL url(Path directory) throws IOException {
    return directory.toUri().toURL();
  }
}
