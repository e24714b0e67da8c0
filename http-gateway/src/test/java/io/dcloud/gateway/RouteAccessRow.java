package io.dcloud.gateway;

import static io.dcloud.gateway.RouteAccessCaller.ANONYMOUS;

import java.util.EnumMap;
import java.util.Map;

/** One route of {@link RouteAccessTable}: what to send, and the status each caller gets (anonymous: 401 unless said otherwise). */
final class RouteAccessRow {
  final String method;
  final String path;
  String body;
  boolean stream;
  boolean freshSession;
  boolean proxy;
  boolean console;
  final Map<RouteAccessCaller, Integer> expected = new EnumMap<>(RouteAccessCaller.class);

  RouteAccessRow(String method, String path) {
    this.method = method;
    this.path = path;
    expected.put(ANONYMOUS, 401);
  }

  /** One case of the matrix: the row's request sent as {@code who}, answered {@code expected}. */
  record Cell(RouteAccessRow row, RouteAccessCaller who, int expected) {
    @Override
    public String toString() {
      return row.method + " " + row.path + " as " + who + " -> " + expected;
    }
  }

  RouteAccessRow body(String json) {
    this.body = json;
    return this;
  }

  RouteAccessRow allow(int status, RouteAccessCaller... callers) {
    for (RouteAccessCaller who : callers) {
      expected.put(who, status);
    }
    return this;
  }

  /** Everyone not named yet. */
  RouteAccessRow otherwise(int status) {
    for (RouteAccessCaller who : RouteAccessCaller.values()) {
      expected.putIfAbsent(who, status);
    }
    return this;
  }

  /** The body is an event stream that does not end: only the status and type are read. */
  RouteAccessRow streaming() {
    this.stream = true;
    return this;
  }

  /** Sent to the proxy's binding (dcloud.http.proxy.port), the only one that serves it. */
  RouteAccessRow onProxy() {
    this.proxy = true;
    return this;
  }

  /**
   * The web console's files, outside {@code /api/v1}: not API routes (no OpenAPI operation, see
   * OpenApiDocumentTest), public to everyone because the sign-in page must load without a token,
   * and the same static files whoever asks (ConsoleRouteTest: they hold no API data).
   */
  RouteAccessRow console() {
    this.console = true;
    expected.remove(ANONYMOUS);
    return this;
  }

  /** The request ends the caller's session, so each cell signs in anew for it. */
  RouteAccessRow ownSession() {
    this.freshSession = true;
    return this;
  }
}
