package io.dcloud.secret;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SecretKeysTest {
  @TempDir Path dir;

  private static Config config(String key, String keyFile) {
    return ConfigFactory.load()
        .withValue(SecretKeys.KEY, ConfigValueFactory.fromAnyRef(key))
        .withValue(SecretKeys.KEY_FILE, ConfigValueFactory.fromAnyRef(keyFile));
  }

  @Test
  void noKeyAndNoFileIsNoBox() {
    assertThat(SecretKeys.fromConfig(config("", ""))).isEmpty();
  }

  @Test
  void theConfiguredKeyOpensWhatThatKeySealed() {
    byte[] key = SecretBoxTest.randomKey();
    String sealed = new SecretBox(key).seal("A", "secret");

    SecretBox box = SecretKeys.fromConfig(config(Base64.getEncoder().encodeToString(key), "")).orElseThrow();

    assertThat(box.open("A", sealed)).isEqualTo("secret");
  }

  @Test
  void aKeyThatIsNot32Base64BytesFailsTheStart() {
    assertThatThrownBy(() -> SecretKeys.fromConfig(config("not base64!", "")))
        .isInstanceOf(ConfigException.BadValue.class).hasMessageContaining("dcloud.secrets.key").hasMessageContaining("not base64");
    assertThatThrownBy(() -> SecretKeys.fromConfig(config(Base64.getEncoder().encodeToString(new byte[16]), "")))
        .isInstanceOf(ConfigException.BadValue.class).hasMessageContaining("holds 16 bytes");
  }

  @Test
  void aMissingKeyFileIsGeneratedOwnerOnlyAndReusedOnTheNextStart() throws Exception {
    Path file = dir.resolve("data/secrets.key");

    SecretBox first = SecretKeys.fromConfig(config("", file.toString())).orElseThrow();
    String sealed = first.seal("A", "kept");
    String written = Files.readString(file);
    SecretBox second = SecretKeys.fromConfig(config("", file.toString())).orElseThrow();

    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
    assertThat(Base64.getDecoder().decode(written.strip())).hasSize(SecretBox.KEY_BYTES);
    assertThat(Files.readString(file)).isEqualTo(written);
    assertThat(second.open("A", sealed)).isEqualTo("kept");
    try (var listed = Files.list(file.getParent())) {
      assertThat(listed).as("no temporary file left").containsExactly(file);
    }
  }

  @Test
  void theConfiguredKeyWinsOverTheFile() {
    byte[] key = SecretBoxTest.randomKey();
    Path file = dir.resolve("secrets.key");

    SecretBox box = SecretKeys.fromConfig(config(Base64.getEncoder().encodeToString(key), file.toString())).orElseThrow();

    assertThat(box.open("A", new SecretBox(key).seal("A", "x"))).isEqualTo("x");
    assertThat(file).doesNotExist();
  }
}
