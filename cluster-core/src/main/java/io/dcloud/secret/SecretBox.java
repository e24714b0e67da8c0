package io.dcloud.secret;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.Objects;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Encrypts and decrypts the values of an environment's {@code secret-env} with the cluster's key
 * (AES-256-GCM, a fresh random 96-bit nonce per value), so that the journal, the read side and the
 * messages to nodes only ever hold ciphertext. The variable's name is authenticated with its value:
 * a ciphertext moved to another name does not decrypt.
 *
 * <p>A sealed value is {@code v1:} then base64 of nonce, ciphertext and tag; the version names the
 * scheme, so another one can come later without guessing what old events hold.
 */
public final class SecretBox {
  /** AES-256: the key is 32 bytes. */
  public static final int KEY_BYTES = 32;

  private static final String PREFIX = "v1:";
  private static final String TRANSFORMATION = "AES/GCM/NoPadding";
  private static final String DERIVATION = "HmacSHA256";
  private static final int NONCE_BYTES = 12;
  private static final int TAG_BITS = 128;
  private static final SecureRandom RANDOM = new SecureRandom();

  /**
   * A {@code secret-env} value that asks DCloud for a fresh random one per environment (a template's
   * notebook token, say), which its owner reads back from {@code GET /environments/{id}/secrets}.
   */
  public static final String GENERATED = "<generated>";
  private static final int GENERATED_BYTES = 24;

  private final SecretKey key;

  /** A box with a key of its own, for checking configs whose sealed values are thrown away (templates). */
  public static SecretBox throwaway() {
    byte[] key = new byte[KEY_BYTES];
    RANDOM.nextBytes(key);
    return new SecretBox(key);
  }

  /** The value of a {@link #GENERATED} variable: 32 URL-safe characters, 192 random bits. */
  public static String generatedValue() {
    byte[] bytes = new byte[GENERATED_BYTES];
    RANDOM.nextBytes(bytes);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  /** {@code key} must be 32 bytes (AES-256). */
  public SecretBox(byte[] key) {
    Objects.requireNonNull(key, "key");
    if (key.length != KEY_BYTES) {
      throw new IllegalArgumentException("a secrets key is " + KEY_BYTES + " bytes, not " + key.length);
    }
    this.key = new SecretKeySpec(key.clone(), "AES");
  }

  /** {@code plaintext} encrypted for the variable {@code name}. */
  public String seal(String name, String plaintext) {
    byte[] nonce = new byte[NONCE_BYTES];
    RANDOM.nextBytes(nonce);
    try {
      Cipher cipher = cipher(Cipher.ENCRYPT_MODE, nonce, name);
      byte[] sealed = cipher.doFinal(plaintext.getBytes(StandardCharsets.UTF_8));
      ByteBuffer out = ByteBuffer.allocate(NONCE_BYTES + sealed.length).put(nonce).put(sealed);
      return PREFIX + Base64.getEncoder().encodeToString(out.array());
    } catch (GeneralSecurityException e) {
      // AES-GCM is in every JDK: failing here is a broken runtime, not bad input.
      throw new IllegalStateException("AES-GCM encryption failed", e);
    }
  }

  /**
   * The plaintext of {@code sealed}, which {@link #seal} made for {@code name}.
   *
   * @throws UnreadableSecretException when it was sealed with another key, for another name, or
   *     altered since
   */
  public String open(String name, String sealed) {
    if (sealed == null || !sealed.startsWith(PREFIX)) {
      throw new UnreadableSecretException(name, "it is not a value this version of DCloud encrypted");
    }
    byte[] bytes;
    try {
      bytes = Base64.getDecoder().decode(sealed.substring(PREFIX.length()));
    } catch (IllegalArgumentException e) {
      throw new UnreadableSecretException(name, "it is not base64");
    }
    if (bytes.length < NONCE_BYTES + TAG_BITS / 8) {
      throw new UnreadableSecretException(name, "it is too short");
    }
    try {
      byte[] nonce = Arrays.copyOf(bytes, NONCE_BYTES);
      Cipher cipher = cipher(Cipher.DECRYPT_MODE, nonce, name);
      return new String(cipher.doFinal(bytes, NONCE_BYTES, bytes.length - NONCE_BYTES), StandardCharsets.UTF_8);
    } catch (AEADBadTagException e) {
      throw new UnreadableSecretException(
          name, "it was encrypted with another key (is dcloud.secrets.key the same on every node?) or altered");
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-GCM decryption failed", e);
    }
  }

  /**
   * A secret derived from the cluster's key for {@code purpose} (HMAC-SHA256, 43 URL-safe
   * characters): the same on every node with the same key, so it need never be stored.
   */
  public String derive(String purpose) {
    try {
      Mac mac = Mac.getInstance(DERIVATION);
      mac.init(new SecretKeySpec(key.getEncoded(), DERIVATION));
      byte[] digest = mac.doFinal(("dcloud-derive:" + purpose).getBytes(StandardCharsets.UTF_8));
      return Base64.getUrlEncoder().withoutPadding().encodeToString(digest);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HMAC-SHA256 is in every JDK", e);
    }
  }

  private Cipher cipher(int mode, byte[] nonce, String name) throws GeneralSecurityException {
    Cipher cipher = Cipher.getInstance(TRANSFORMATION);
    cipher.init(mode, key, new GCMParameterSpec(TAG_BITS, nonce));
    cipher.updateAAD(name.getBytes(StandardCharsets.UTF_8));
    return cipher;
  }

  /** A sealed value that does not decrypt with this box. */
  public static final class UnreadableSecretException extends RuntimeException {
    UnreadableSecretException(String name, String why) {
      super("cannot decrypt secret-env " + name + ": " + why);
    }
  }
}
