package io.dcloud.gateway;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * Times every API answer into {@code dcloud.http.requests} (Prometheus:
 * {@code dcloud_http_requests_seconds}, a histogram) by method, route template and status. The time
 * runs until the answer's headers are ready: for a stream (logs, events) that is when it starts.
 */
final class RequestMetrics extends AllDirectives {
  static final String NAME = "dcloud.http.requests";
  private final MeterRegistry registry;

  RequestMetrics(MeterRegistry registry) {
    this.registry = registry;
  }

  Route around(Route api) {
    return extractRequest(request -> {
      long started = System.nanoTime();
      String method = request.method().name();
      String route = RouteTemplates.of(request.getUri().path());
      return mapResponse(response -> {
        Timer.builder(NAME)
            .description("API requests by route template and status, until the answer starts")
            .tags("method", method, "route", route, "status", Integer.toString(response.status().intValue()))
            .publishPercentileHistogram()
            .register(registry)
            .record(System.nanoTime() - started, TimeUnit.NANOSECONDS);
        return response;
      }, () -> api);
    });
  }
}
