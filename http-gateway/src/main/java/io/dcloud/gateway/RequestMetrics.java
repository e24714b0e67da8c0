package io.dcloud.gateway;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
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
  /**
   * Each series' timer, kept rather than built and looked up by its tags on every request (a few per
   * cent of a GET's CPU). Bounded: route templates, methods and statuses are few.
   */
  private final Map<Series, Timer> timers = new ConcurrentHashMap<>();

  private record Series(String method, String route, int status) {}

  RequestMetrics(MeterRegistry registry) {
    this.registry = registry;
  }

  Route around(Route api) {
    return extractRequest(request -> {
      long started = System.nanoTime();
      String method = request.method().name();
      String route = RouteTemplates.of(request.getUri().path());
      return mapResponse(response -> {
        timers.computeIfAbsent(new Series(method, route, response.status().intValue()), this::register)
            .record(System.nanoTime() - started, TimeUnit.NANOSECONDS);
        return response;
      }, () -> api);
    });
  }

  private Timer register(Series series) {
    return Timer.builder(NAME)
        .description("API requests by route template and status, until the answer starts")
        .tags("method", series.method(), "route", series.route(), "status", Integer.toString(series.status()))
        .publishPercentileHistogram()
        .register(registry);
  }
}
