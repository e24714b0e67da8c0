package io.dcloud.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigStoreTest {
  @TempDir
  Path home;

  @Test
  void keepsTheTokenInAFileOnlyItsOwnerMayReadInAFolderOnlyTheOwnerMayEnter() throws Exception {
    ConfigStore store = ConfigStore.fromEnvironment(Map.of("XDG_CONFIG_HOME", home.resolve("xdg").toString()));
    assertThat(store.read()).isEmpty();

    store.write(new StoredLogin("http://gw:8080", "ada", "secret-token"));
    store.write(new StoredLogin("http://gw:8080", "ada", "second-token"));

    Path file = home.resolve("xdg/dcloud/config.json");
    assertThat(store.file()).isEqualTo(file);
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file.getParent()))).isEqualTo("rwx------");
    assertThat(store.read()).contains(new StoredLogin("http://gw:8080", "ada", "second-token"));
    try (var left = Files.list(file.getParent())) {
      assertThat(left).as("no temporary file left behind").containsExactly(file);
    }
  }

  @Test
  void tightensAFolderThatExistedWithLooserModes() throws Exception {
    Path folder = Files.createDirectories(home.resolve("xdg/dcloud"));
    Files.setPosixFilePermissions(folder, PosixFilePermissions.fromString("rwxr-xr-x"));
    ConfigStore.fromEnvironment(Map.of("XDG_CONFIG_HOME", home.resolve("xdg").toString()))
        .write(new StoredLogin("http://gw", "ada", "t"));
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(folder))).isEqualTo("rwx------");
  }

  @Test
  void usesDotConfigInHomeWithoutXdgConfigHome() {
    ConfigStore store = ConfigStore.fromEnvironment(Map.of("HOME", home.toString(), "XDG_CONFIG_HOME", " "));
    assertThat(store.file()).isEqualTo(home.resolve(".config/dcloud/config.json"));
  }
}
