package io.dcloud.gateway;

import io.dcloud.gateway.common.ApiPaths;
import io.dcloud.gateway.dataset.DatasetRoutes;
import io.dcloud.gateway.device.DeviceCommandRoutes;
import io.dcloud.gateway.device.DeviceRoutes;
import io.dcloud.gateway.device.ReadingRoutes;
import io.dcloud.gateway.device.SensorTypeRoutes;
import io.dcloud.gateway.environment.ProxyRoute;
import io.dcloud.gateway.job.JobRoutes;
import io.dcloud.gateway.service.BindingRoutes;
import io.dcloud.gateway.service.ModelDeployRoutes;
import io.dcloud.gateway.service.ServiceCallRoutes;
import io.dcloud.gateway.service.ServiceRoutes;
import java.util.Set;

/**
 * The route a request path matched, as a metric label: {@code /api/v1/environments/{}/logs}, never
 * {@code /api/v1/environments/3f2a.../logs}. Segments the API spells out stay; every other segment
 * (ids, names, anything a caller typed) becomes {@code {}}, and paths outside the API or deeper than
 * any route are one label, so a caller cannot grow the number of time series.
 */
final class RouteTemplates {
  static final String OTHER = "other";
  static final String PLACEHOLDER = "{}";
  /** Deeper than the API's longest route (e.g. /api/v1/users/{}/tokens/{}). */
  private static final int MAX_SEGMENTS = 7;
  /** The literal segments of the API's routes (the feature routes' path(...) and pathPrefix(...)). */
  private static final Set<String> LITERALS = Set.of(
      ApiPaths.ENVIRONMENTS, ApiPaths.TEMPLATES, ApiPaths.NODES, ApiPaths.VOLUMES, ApiPaths.CATALOG, ApiPaths.HEALTH,
      "auth", "login", "logout", "users", "me", "tokens", "quota", "groups", "audit", "usage", "owners", "sharing", "secrets",
      "start", "stop", "resize", "logs", "events", "stats", "manifest", "dockerfile", "cordon", "uncordon", "drain", "exec", "files",
      "openapi.json", ProxyRoute.PROXY,
      ApiPaths.DATASETS, DatasetRoutes.VERSIONS, DatasetRoutes.READERS,
      ApiPaths.MODELS, ServiceRoutes.SERVICES, ServiceRoutes.BATCHING, ServiceRoutes.AUTOSCALING, ServiceRoutes.DEFINITION,
      ServiceRoutes.RESTART,
      ModelDeployRoutes.DEPLOY,
      ServiceCallRoutes.PREDICT, ServiceCallRoutes.CALL, ApiPaths.APPS, JobRoutes.JOBS, JobRoutes.OUTPUT,
      SensorTypeRoutes.SENSOR_TYPES, DeviceRoutes.DEVICES, DeviceRoutes.BROKER, DeviceRoutes.DISABLE, DeviceRoutes.ENABLE,
      DeviceRoutes.CREDENTIALS, ReadingRoutes.READINGS, ReadingRoutes.STREAM, DeviceCommandRoutes.COMMANDS,
      BindingRoutes.BINDINGS);
  /** {@code /api/v1/environments/{}/proxy/{}}: what lies below a proxied port is the application's own. */
  private static final int PROXIED_PORT_SEGMENTS = 6;
  /** {@code /api/v1/services/{}/call}: the segments kept of a service call's path. */
  private static final int CALLED_SEGMENTS = 6;

  private RouteTemplates() {}

  static String of(String path) {
    String[] segments = path.split("/", -1);
    // "/api/v1/x".split("/") = ["", "api", "v1", "x"]
    if (segments.length < 3 || !segments[0].isEmpty()
        || !ApiPaths.API.equals(segments[1]) || !ApiPaths.VERSION.equals(segments[2])) {
      return OTHER;
    }
    boolean proxied = segments.length > PROXIED_PORT_SEGMENTS && ApiPaths.ENVIRONMENTS.equals(segments[3])
        && ProxyRoute.PROXY.equals(segments[5]);
    // /api/v1/services/{}/call: what lies below is the application's own too.
    boolean called = segments.length > CALLED_SEGMENTS && ServiceRoutes.SERVICES.equals(segments[3])
        && ServiceCallRoutes.CALL.equals(segments[5]);
    int end = proxied ? PROXIED_PORT_SEGMENTS + 1 : called ? CALLED_SEGMENTS : segments.length;
    if (end > MAX_SEGMENTS + 1) {
      return OTHER;
    }
    StringBuilder template = new StringBuilder(ApiPaths.ROOT);
    for (int i = 3; i < end; i++) {
      template.append('/').append(LITERALS.contains(segments[i]) ? segments[i] : PLACEHOLDER);
    }
    return template.toString();
  }

}
