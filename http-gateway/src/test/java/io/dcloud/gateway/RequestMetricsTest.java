package io.dcloud.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.dcloud.gateway.common.ApiPaths;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** Every answer timed into its series (method, route template, status), over real HTTP on loopback. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RequestMetricsTest extends AllDirectives {
  private static final String ID = "3f2a0c1e-5b6d-4e7f-8a9b-0c1d2e3f4a5b";
  private final ActorTestKit testKit = ActorTestKit.create("request-metrics-test");
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final HttpClient client = HttpClient.newHttpClient();
  private ServerBinding binding;

  @BeforeAll
  void start() throws Exception {
    Route api = concat(
        pathPrefix("api", () -> pathPrefix("v1", () -> pathPrefix(ApiPaths.ENVIRONMENTS, () -> path(id ->
            id.equals(ID) ? complete("found") : complete(StatusCodes.NOT_FOUND, "no such environment"))))),
        complete(StatusCodes.NOT_FOUND, "not the API"));
    binding = Http.get(testKit.system()).newServerAt("127.0.0.1", 0)
        .bind(new RequestMetrics(registry).around(api))
        .toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @AfterAll
  void stop() {
    binding.unbind();
    testKit.shutdownTestKit();
  }

  private int get(String path) throws Exception {
    URI uri = URI.create("http://127.0.0.1:" + binding.localAddress().getPort() + path);
    return client.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
  }

  private Timer series(String method, String route, int status) {
    return registry.find(RequestMetrics.NAME)
        .tags("method", method, "route", route, "status", Integer.toString(status)).timer();
  }

  @Test
  void eachAnswerCountsInItsOwnSeriesAndRepeatedOnesInTheSameTimer() throws Exception {
    assertThat(get("/api/v1/environments/" + ID)).isEqualTo(200);
    assertThat(get("/api/v1/environments/" + ID)).isEqualTo(200);
    assertThat(get("/api/v1/environments/nope")).isEqualTo(404);
    assertThat(get("/elsewhere")).isEqualTo(404);

    Timer found = series("GET", "/api/v1/environments/{}", 200);
    assertThat(found).isNotNull();
    assertThat(found.count()).isEqualTo(2);
    assertThat(found.totalTime(TimeUnit.NANOSECONDS)).isPositive();
    assertThat(series("GET", "/api/v1/environments/{}", 404).count()).isEqualTo(1);
    assertThat(series("GET", RouteTemplates.OTHER, 404).count()).isEqualTo(1);
    assertThat(registry.find(RequestMetrics.NAME).timers()).hasSize(3);
  }
}
