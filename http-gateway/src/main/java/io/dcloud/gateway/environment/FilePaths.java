package io.dcloud.gateway.environment;

import io.dcloud.gateway.common.Problem;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/** The {@code path} query parameter of {@code /environments/{id}/files}: an absolute path in the environment, or a 400 naming it. */
final class FilePaths {
  static final String PARAMETER = "path";
  /** Linux's PATH_MAX. */
  private static final int MAX_BYTES = 4096;

  private FilePaths() {}

  static String read(Optional<String> path) {
    String reason = null;
    if (path.isEmpty() || path.get().isEmpty()) {
      reason = "is required: an absolute path in the environment, e.g. ?path=/home/dcloud/notes.txt";
    } else if (!path.get().startsWith("/")) {
      reason = "must be absolute (start with /), not \"" + path.get() + "\"";
    } else if (path.get().indexOf('\0') >= 0) {
      reason = "must not contain a NUL character";
    } else if (path.get().getBytes(StandardCharsets.UTF_8).length > MAX_BYTES) {
      reason = "is longer than " + MAX_BYTES + " bytes";
    }
    if (reason != null) {
      throw Problem.of(Problem.Type.MALFORMED_REQUEST, "path " + reason, PARAMETER, reason).exception();
    }
    return path.get();
  }
}
