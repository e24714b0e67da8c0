package io.dcloud.cli.common;

/**
 * The exit statuses scripts can rely on (README, "Command line"). {@code env exec} exits with the
 * command's own status once the command ran.
 */
public final class ExitCodes {
  public static final int OK = 0;
  /** Anything not below: the gateway failed (5xx), an unexpected answer, a local I/O error. */
  public static final int ERROR = 1;
  /** Wrong flags or arguments, an unreadable file, or a request the API called invalid (400, 415, 422). */
  public static final int USAGE = 2;
  public static final int NOT_FOUND = 3;
  /** Forbidden, a conflict (e.g. not RUNNING), over quota, too large, too many (403, 409, 413, 429). */
  public static final int REFUSED = 4;
  /** Not signed in, or the token was refused (401). */
  public static final int UNAUTHENTICATED = 5;
  /** The gateway did not answer at all (connection refused, timed out). */
  public static final int UNREACHABLE = 6;
  /** The environment that {@code env create} waited for failed, was lost, stopped or deleted instead. */
  public static final int ENVIRONMENT_FAILED = 7;

  private ExitCodes() {}

  /** The exit status for an API answer with this HTTP status (not 2xx). */
  public static int forHttpStatus(int status) {
    return switch (status) {
      case 400, 415, 422 -> USAGE;
      case 401 -> UNAUTHENTICATED;
      case 403, 409, 413, 429 -> REFUSED;
      case 404 -> NOT_FOUND;
      default -> ERROR;
    };
  }
}
