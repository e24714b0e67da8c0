package io.dcloud.http;

import java.util.Map;
import java.util.NoSuchElementException;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.pekko.http.javadsl.model.ContentType;
import org.apache.pekko.http.javadsl.model.ContentTypes;

/**
 * Content types as the text that carried them (a caller's header, a replica's answer, a dataset's
 * upload) read into Pekko's model. The first {@value #KEPT} distinct texts are kept once read: a
 * service's calls carry one or two, and reading them anew took 4% of a busy gateway's CPU per
 * predict (docs/BENCHMARKS.md §10). Past that, texts are read each time, as before.
 */
public final class ContentTypeTexts {
  private static final int KEPT = 64;
  private static final Map<String, ContentType> READ = new ConcurrentHashMap<>();

  private ContentTypeTexts() {}

  /** {@code text} as a content type; one that does not parse is plain bytes (application/octet-stream). */
  public static ContentType parse(String text) {
    ContentType known = READ.get(text);
    if (known != null) {
      return known;
    }
    ContentType parsed;
    try {
      parsed = ContentTypes.parse(text);
    } catch (NoSuchElementException | IllegalArgumentException malformed) {
      // Pekko's Java parse takes the right of an Either: a malformed text throws NoSuchElementException.
      parsed = ContentTypes.APPLICATION_OCTET_STREAM;
    }
    if (READ.size() < KEPT) {
      READ.put(text, parsed);
    }
    return parsed;
  }
}
