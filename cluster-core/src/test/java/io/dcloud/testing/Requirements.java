package io.dcloud.testing;

import java.util.function.Supplier;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * Guards a test on something of the machine it needs and cannot provide itself (the Cassandra jars,
 * iptables, ...). On a developer's machine a missing dependency skips the test with a message
 * saying what is missing. Under {@code CI=true} it fails the test: a CI run that skipped its
 * integration tests would otherwise look as green as one that ran them.
 *
 * <p>Shared through cluster-core's test-jar, which every module can depend on in test scope.
 */
public final class Requirements {

  /** Set to {@code true} by CI (this project's {@code .ci/run} and most CI services). */
  static final String CI_VARIABLE = "CI";

  private Requirements() {}

  /**
   * Returns if {@code met}; otherwise fails the test under {@code CI=true} and skips it elsewhere,
   * with {@code missing} as the message.
   *
   * @param missing what is missing and how to get it, e.g. "Cassandra jars missing in ...: run ..."
   */
  public static void requireOrSkip(boolean met, Supplier<String> missing) {
    requireOrSkip(met, missing, isCi(System.getenv(CI_VARIABLE)));
  }

  static void requireOrSkip(boolean met, Supplier<String> missing, boolean ci) {
    if (met) {
      return;
    }
    if (ci) {
      Assertions.fail(missing.get() + " (CI=true: a missing dependency fails instead of skipping)");
    }
    Assumptions.abort(missing.get());
  }

  static boolean isCi(String value) {
    return "true".equalsIgnoreCase(value);
  }
}
