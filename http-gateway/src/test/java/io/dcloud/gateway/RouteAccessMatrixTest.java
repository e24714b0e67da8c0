package io.dcloud.gateway;

import static io.dcloud.gateway.RouteAccessCaller.ANONYMOUS;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.dcloud.gateway.RouteAccessRow.Cell;
import java.io.InputStream;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every route of the API ({@link RouteAccessTable}) against every kind of caller, one case per cell: anonymous callers get
 * 401 everywhere but sign-in, health, the API's description and the console's files, a role that may not gets 403, and another user's
 * environment, template or token answers 404 exactly like one that does not exist (ids are not
 * disclosed), unless it is shared with a group of the caller's (then reads answer, changes 403). The things asked
 * about are {@link RouteAccessWorld}'s; what the lists show whom is {@link RouteAccessListingsTest}'s.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RouteAccessMatrixTest {
  private RouteAccessWorld world;

  @BeforeAll
  void start() throws Exception {
    world = new RouteAccessWorld("RouteAccessMatrixTest");
  }

  @AfterAll
  void stop() {
    world.close();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("io.dcloud.gateway.RouteAccessTable#cells")
  void eachCallerGetsWhatTheMatrixSays(Cell cell) throws Exception {
    Api api = cell.row().freshSession && cell.who() != ANONYMOUS
        ? world.signedInAnew(cell.who())
        : world.as(cell.who());
    if (cell.row().proxy) {
      api = api.at(world.proxyBase);
    }
    String path = (cell.row().console ? "" : "/api/v1") + world.resolve(cell.row().path, cell.who());
    HttpRequest.Builder request = api.request(path);
    HttpRequest.BodyPublisher body = cell.row().body == null
        ? HttpRequest.BodyPublishers.noBody()
        : HttpRequest.BodyPublishers.ofString(world.resolve(cell.row().body, cell.who()));
    if (cell.row().body != null) {
      request.header("content-type", Api.JSON);
    }
    HttpResponse<InputStream> response =
        api.http.send(request.method(cell.row().method, body).build(), HttpResponse.BodyHandlers.ofInputStream());
    String contentType = response.headers().firstValue("content-type").orElse("");
    String text;
    try (InputStream in = response.body()) {
      // An event stream that was allowed never ends: its status and type are the answer.
      text = contentType.startsWith("text/event-stream") ? "" : new String(in.readAllBytes());
    }

    assertThat(response.statusCode()).as("%s %s: %s", cell.row().method, path, text).isEqualTo(cell.expected());
    if (cell.expected() >= 400) {
      assertThat(contentType).isEqualTo("application/problem+json");
      JsonNode problem = Api.parse(text);
      assertThat(problem.path("status").asInt()).isEqualTo(cell.expected());
      // A 403 is the role's (not a quota's or CSRF's); a 404 the same whether the thing is another's or absent.
      String expectedType = switch (cell.expected()) {
        case 401 -> "unauthenticated";
        case 403 -> "forbidden";
        case 404 -> cell.row().path.equals("/no-such-route") || cell.row().console ? "route-not-found" : "not-found";
        default -> problem.path("type").asText().substring("urn:dcloud:problem:".length());
      };
      assertThat(problem.path("type").asText()).isEqualTo("urn:dcloud:problem:" + expectedType);
    }
    if (cell.expected() == 401) {
      assertThat(response.headers().firstValue("www-authenticate")).hasValueSatisfying(v -> assertThat(v).startsWith("Bearer"));
    }
    if (cell.row().stream && cell.expected() == 200) {
      assertThat(contentType).startsWith("text/event-stream");
    }
  }
}
