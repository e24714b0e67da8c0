package io.dcloud.deploy;

/** A container-engine operation failed or timed out; the message says what and why, for users. */
public final class RuntimeFailure extends RuntimeException {
  public RuntimeFailure(String message) {
    super(message);
  }

  public RuntimeFailure(String message, Throwable cause) {
    super(message, cause);
  }
}
