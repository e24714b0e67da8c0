package io.dcloud.app;

/**
 * The environment specs the end-to-end tests create, as the API takes them (JSON text): on the tiny
 * OS (a local busybox image: it starts in seconds), in the original project's format, and a real
 * Debian one with a Python library from the default catalog.
 */
final class EnvironmentSpecs {
  /**
   * A config as the original DCloud/SVM project wrote it (its dfs_contract): the OS as an object
   * (tiny, version 1), a storage size in bytes (1 GiB at /workspace), no lifecycle, and the store's own fields.
   */
  static final String ORIGINAL_FORMAT = """
      {"_id": {"$oid": "6456f0a2c1e4b7a9d2f3e811"}, "env-name": "original-format", "version": "2",
       "os": {"image-name": "tiny", "version": "1", "tags": "1"},
       "languages": [{"language-name": "shell", "libraries": []}],
       "resources": {"ram": "64M", "cpu": "0.5", "gpu": "0"},
       "storage": [{"target": "/workspace", "size": "1073741824"}],
       "command": ["sh", "-c", "exec sleep infinity"],
       "creation_time": {"$date": "2023-05-06T07:49:15.818Z"}}
      """;

  /** In the original format, the tiny OS at a version (2) the catalog does not have. */
  static final String ORIGINAL_FORMAT_OTHER_RELEASE = """
      {"env-name": "original-wrong-tag", "os": {"image-name": "tiny", "version": "2"},
       "languages": [{"language-name": "shell", "libraries": []}]}""";

  /**
   * Debian with Python's numpy: prints "numpy-version" and numpy's version, and stops — a one-off
   * run, so restarted only should it fail.
   */
  static final String NUMPY_ON_DEBIAN = """
      {"env-name": "numpy-check", "os": "debian",
       "languages": [{"language-name": "python", "libraries": ["numpy"]}],
       "resources": {"ram": "512M", "cpu": "1"}, "restart-policy": "on-failure",
       "command": ["python3", "-c", "import numpy; print('numpy-version', numpy.__version__)"]}
      """;

  private EnvironmentSpecs() {}

  /** A spec on the tiny OS that prints a line and sleeps; extra adds fields (it starts with a comma). */
  static String tinySpec(String name, String extra) {
    return """
        {"env-name": "%s", "os": "tiny", "languages": [{"language-name": "shell", "libraries": []}],
         "resources": {"ram": "64M", "cpu": "0.5", "gpu": "0"},
         "command": ["sh", "-c", "echo hello-from-dcloud; exec sleep infinity"] %s}
        """.formatted(name, extra);
  }
}
