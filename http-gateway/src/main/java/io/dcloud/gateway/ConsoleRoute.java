package io.dcloud.gateway;

import io.dcloud.gateway.common.Problem;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import org.apache.pekko.http.javadsl.model.ContentType;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpCharsets;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpHeader;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.MediaTypes;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.PathMatchers;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * The web console: {@code /} (its one page) and {@code /console/{file}} (its scripts, styles and
 * images), served from this jar's {@code io/dcloud/console/} resources. These are the same files for
 * everyone and hold no API data, so they need no token — the sign-in page must load before there
 * is one; everything the console shows comes from {@code /api/v1} with the session cookie. Its pages
 * run only the console's own scripts (a Content-Security-Policy without inline scripts) and may not be
 * framed by other sites' pages (clickjacking).
 */
final class ConsoleRoute extends AllDirectives {
  static final String ASSETS = "console";
  private static final String RESOURCES = "/io/dcloud/console/";
  private static final String INDEX = "index.html";
  /** File names only: no directories, no "..", nothing a file system could read as a path. */
  private static final Pattern FILE = Pattern.compile("[a-z0-9][a-z0-9_-]*(\\.[a-z0-9]+)+");
  private static final ContentType JAVASCRIPT =
      MediaTypes.customWithFixedCharset("text", "javascript", HttpCharsets.UTF_8, Map.of(), false, "js").toContentType();
  private static final Map<String, ContentType> TYPES = Map.of(
      "html", ContentTypes.TEXT_HTML_UTF8,
      "js", JAVASCRIPT,
      "mjs", JAVASCRIPT,
      "css", MediaTypes.TEXT_CSS.toContentType(HttpCharsets.UTF_8),
      "svg", MediaTypes.IMAGE_SVG_XML.toContentType(),
      "png", MediaTypes.IMAGE_PNG.toContentType(),
      "txt", ContentTypes.TEXT_PLAIN_UTF8);
  /**
   * Scripts, styles, fonts and connections (the API, its event stream and the terminal's
   * WebSocket) from this origin alone; no inline script or style, no plugins, never framed.
   */
  static final String CONTENT_SECURITY_POLICY = "default-src 'none'; script-src 'self'; style-src 'self'; "
      + "img-src 'self' data:; font-src 'self'; connect-src 'self'; form-action 'self'; base-uri 'none'; "
      + "frame-ancestors 'none'";
  private static final List<HttpHeader> SAFE_HEADERS = List.of(
      RawHeader.create("Content-Security-Policy", CONTENT_SECURITY_POLICY),
      RawHeader.create("X-Frame-Options", "DENY"),
      RawHeader.create("X-Content-Type-Options", "nosniff"),
      RawHeader.create("Referrer-Policy", "same-origin"),
      // A new gateway's console must not be mixed with a cached old one's scripts.
      RawHeader.create("Cache-Control", "no-cache"));

  /** Read once each: the files do not change while the gateway runs. */
  private final Map<String, Optional<HttpResponse>> answers = new ConcurrentHashMap<>();

  /** The path first, then the method: a request elsewhere (the API's) must not hear "GET only" from here. */
  public Route route() {
    return concat(
        pathSingleSlash(() -> get(() -> file(INDEX))),
        path(PathMatchers.segment(ASSETS).slash(PathMatchers.segment()), name -> get(() -> file(name))));
  }

  private Route file(String name) {
    Optional<HttpResponse> answer = FILE.matcher(name).matches() && TYPES.containsKey(extension(name))
        ? answers.computeIfAbsent(name, ConsoleRoute::read)
        : Optional.empty();
    return answer.map(this::complete).orElseGet(() -> complete(
        Problem.of(Problem.Type.ROUTE_NOT_FOUND, "the console has no file " + name).toResponse()));
  }

  private static Optional<HttpResponse> read(String name) {
    try (InputStream in = ConsoleRoute.class.getResourceAsStream(RESOURCES + name)) {
      if (in == null) {
        return Optional.empty();
      }
      return Optional.of(HttpResponse.create()
          .withStatus(StatusCodes.OK)
          .withEntity(HttpEntities.create(TYPES.get(extension(name)), in.readAllBytes()))
          .addHeaders(SAFE_HEADERS));
    } catch (IOException e) {
      throw new UncheckedIOException("the console's " + name + " could not be read from the gateway's jar", e);
    }
  }

  private static String extension(String name) {
    return name.substring(name.lastIndexOf('.') + 1).toLowerCase(Locale.ROOT);
  }
}
