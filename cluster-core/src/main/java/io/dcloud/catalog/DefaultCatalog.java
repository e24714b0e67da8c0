package io.dcloud.catalog;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * The catalog DCloud ships with, until an administrator saves another: {@code debian} (bookworm,
 * every package from Debian's own mirror, so it builds where only that mirror is reachable) and
 * {@code ubuntu} (the seeds' library contract, typos fixed; it needs PyPI, npm and golang.org).
 */
public final class DefaultCatalog {

  static final String RESOURCE = "/io/dcloud/catalog/default-catalog.json";

  private DefaultCatalog() {}

  /**
   * The shipped catalog, validated like any other (a {@code ValidationException} here is a
   * packaging bug). Read afresh on each call: it is small, and callers keep the result.
   */
  public static Catalog load() {
    try (InputStream in = DefaultCatalog.class.getResourceAsStream(RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException("missing classpath resource " + RESOURCE);
      }
      return CatalogParser.parse(new ObjectMapper().readTree(in));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + RESOURCE, e);
    }
  }
}
