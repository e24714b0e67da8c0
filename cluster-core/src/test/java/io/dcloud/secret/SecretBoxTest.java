package io.dcloud.secret;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Base64;
import org.junit.jupiter.api.Test;

class SecretBoxTest {
  private static final SecureRandom RANDOM = new SecureRandom();

  static byte[] randomKey() {
    byte[] key = new byte[SecretBox.KEY_BYTES];
    RANDOM.nextBytes(key);
    return key;
  }

  private final SecretBox box = new SecretBox(randomKey());

  @Test
  void opensWhatItSealedAndTheSealedFormHoldsNoPlaintext() {
    String sealed = box.seal("API_TOKEN", "hunter2-ünïcode");

    assertThat(sealed).startsWith("v1:").doesNotContain("hunter2");
    assertThat(new String(Base64.getDecoder().decode(sealed.substring(3)), StandardCharsets.ISO_8859_1))
        .doesNotContain("hunter2");
    assertThat(box.open("API_TOKEN", sealed)).isEqualTo("hunter2-ünïcode");
  }

  @Test
  void everySealHasItsOwnNonce() {
    assertThat(box.seal("A", "same")).isNotEqualTo(box.seal("A", "same"));
  }

  @Test
  void anotherKeyFailsClearly() {
    String sealed = box.seal("API_TOKEN", "hunter2");

    assertThatThrownBy(() -> new SecretBox(randomKey()).open("API_TOKEN", sealed))
        .isInstanceOf(SecretBox.UnreadableSecretException.class)
        .hasMessage("cannot decrypt secret-env API_TOKEN: it was encrypted with another key"
            + " (is dcloud.secrets.key the same on every node?) or altered");
  }

  @Test
  void aValueMovedToAnotherNameOrAlteredDoesNotOpen() {
    String sealed = box.seal("A", "x");
    byte[] bytes = Base64.getDecoder().decode(sealed.substring(3));
    bytes[12] ^= 1; // the ciphertext's first byte, after the nonce
    String altered = "v1:" + Base64.getEncoder().encodeToString(bytes);

    assertThatThrownBy(() -> box.open("B", sealed)).isInstanceOf(SecretBox.UnreadableSecretException.class);
    assertThatThrownBy(() -> box.open("A", altered)).isInstanceOf(SecretBox.UnreadableSecretException.class);
    assertThatThrownBy(() -> box.open("A", "plain text")).hasMessageContaining("not a value this version of DCloud encrypted");
  }

  @Test
  void aKeyIs32Bytes() {
    assertThatThrownBy(() -> new SecretBox(new byte[16])).hasMessage("a secrets key is 32 bytes, not 16");
  }
}
