package io.dcloud.node;

/** Absolute paths inside a container (the gateway checked they are absolute), taken apart without the host's file system. */
final class RemotePaths {
  private RemotePaths() {}

  /** The directory that holds {@code path}: "/" for a top-level name. */
  static String parent(String path) {
    String trimmed = trimmed(path);
    int slash = trimmed.lastIndexOf('/');
    return slash <= 0 ? "/" : trimmed.substring(0, slash);
  }

  /** The last element of {@code path}; "/" for the root itself. */
  static String name(String path) {
    String trimmed = trimmed(path);
    return trimmed.isEmpty() ? "/" : trimmed.substring(trimmed.lastIndexOf('/') + 1);
  }

  private static String trimmed(String path) {
    String p = path;
    while (p.endsWith("/")) {
      p = p.substring(0, p.length() - 1);
    }
    return p;
  }
}
