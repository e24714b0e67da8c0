package io.dcloud.identity;

import com.password4j.Argon2Function;
import com.password4j.Password;
import com.password4j.types.Argon2;
import com.typesafe.config.Config;

/**
 * Argon2id password hashes (password4j), in the standard encoded form ({@code $argon2id$v=19$m=…}),
 * so the parameters travel with each hash and can be raised later without breaking old ones.
 * Hashing is deliberately slow (tens of milliseconds): callers run it off request threads.
 */
public final class Passwords {
  private static final int HASH_BYTES = 32;
  private final Argon2Function function;

  private Passwords(Argon2Function function) {
    this.function = function;
  }

  /** From {@code dcloud.identity.password-hash} (see reference.conf). */
  public static Passwords fromConfig(Config config) {
    Config hash = config.getConfig("dcloud.identity.password-hash");
    return new Passwords(Argon2Function.getInstance(
        hash.getInt("memory-kib"), hash.getInt("iterations"), hash.getInt("parallelism"), HASH_BYTES, Argon2.ID));
  }

  public String hash(String password) {
    return Password.hash(password).addRandomSalt().with(function).getResult();
  }

  /** False for a wrong password and for a hash that is not an Argon2 hash at all. */
  public boolean matches(String password, String encodedHash) {
    try {
      return Password.check(password, encodedHash).with(Argon2Function.getInstanceFromHash(encodedHash));
    } catch (RuntimeException notArgon2) {
      return false;
    }
  }
}
