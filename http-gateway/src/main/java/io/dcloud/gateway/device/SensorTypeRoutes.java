package io.dcloud.gateway.device;

import com.fasterxml.jackson.databind.JsonNode;
import io.dcloud.device.DeviceRegistry;
import io.dcloud.device.RegistryView;
import io.dcloud.device.SensorType;
import io.dcloud.gateway.common.ApiPaths;
import io.dcloud.gateway.common.AuditLog;
import io.dcloud.gateway.common.CallerAttribute;
import io.dcloud.gateway.common.JsonYaml;
import io.dcloud.gateway.common.Problem;
import io.dcloud.gateway.common.RequestBodies;
import io.dcloud.gateway.identity.Authentication;
import io.dcloud.identity.Caller;
import java.time.Clock;
import java.util.Comparator;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.headers.Location;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.PathMatchers;
import org.apache.pekko.http.javadsl.server.Route;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** {@code /sensor-types}: platform configurers (and admins) register and delete types; everyone reads them. */
public final class SensorTypeRoutes extends AllDirectives {
  public static final String SENSOR_TYPES = "sensor-types";
  private static final Logger log = LoggerFactory.getLogger(SensorTypeRoutes.class);

  private final DeviceRegistryAsks registry;
  private final JsonYaml codec;
  private final RequestBodies bodies;
  private final AuditLog audit;
  private final Clock clock;

  public SensorTypeRoutes(DeviceRegistryAsks registry, JsonYaml codec, RequestBodies bodies, AuditLog audit, Clock clock) {
    this.registry = registry;
    this.codec = codec;
    this.bodies = bodies;
    this.audit = audit;
    this.clock = clock;
  }

  public Route route() {
    return pathPrefix(SENSOR_TYPES, () -> CallerAttribute.of(caller -> concat(
        pathEndOrSingleSlash(() -> concat(
            get(() -> completeWithFuture(list())),
            post(() -> Authentication.requireAny(caller, Authentication.CONFIGURERS, () ->
                bodies.document(body -> completeWithFuture(create(body, caller))))))),
        path(PathMatchers.segment(), name -> concat(
            get(() -> completeWithFuture(show(name))),
            delete(() -> Authentication.requireAny(caller, Authentication.CONFIGURERS, () ->
                completeWithFuture(remove(name, caller)))))))));
  }

  private CompletionStage<HttpResponse> list() {
    return registry.view().thenApply(view -> codec.jsonResponse(StatusCodes.OK, new SensorTypeJson.Listing(
        view.types().values().stream()
            .sorted(Comparator.comparing(SensorType::name))
            .map(type -> json(type, view)).toList())));
  }

  private CompletionStage<HttpResponse> show(String name) {
    return registry.view().thenApply(view -> {
      SensorType type = view.types().get(name);
      if (type == null) {
        throw notFound(name).exception();
      }
      return codec.jsonResponse(StatusCodes.OK, json(type, view));
    });
  }

  private CompletionStage<HttpResponse> create(JsonNode body, Caller caller) {
    SensorType type = SensorTypeRequests.parse(body, caller.username(), clock.instant());
    return registry.<DeviceRegistry.TypeDone>change(replyTo -> new DeviceRegistry.RegisterType(type, replyTo))
        .thenApply(done -> {
          // The registry answers a declaration it already holds with that one (a retried request):
          // here the name was taken all the same.
          if (!done.type().equals(type)) {
            throw Problem.conflict("sensor type " + type.name() + " already exists").exception();
          }
          log.info("Sensor type {} ({}) registered by {}", type.name(), type.kind(), caller.username());
          audit.record(caller, "sensor-type.create", type.name(), "ok");
          return codec.jsonResponse(StatusCodes.CREATED, SensorTypeJson.of(done.type(), 0))
              .addHeader(Location.create(ApiPaths.ROOT + "/" + SENSOR_TYPES + "/" + type.name()));
        });
  }

  private CompletionStage<HttpResponse> remove(String name, Caller caller) {
    if (!SensorTypeRequests.isValidName(name)) {
      return CompletableFuture.failedFuture(notFound(name).exception());
    }
    return registry.<DeviceRegistry.Reply>change(replyTo -> new DeviceRegistry.DeleteType(name, replyTo))
        .thenApply(done -> {
          log.info("Sensor type {} deleted by {}", name, caller.username());
          audit.record(caller, "sensor-type.delete", name, "ok");
          return HttpResponse.create().withStatus(StatusCodes.NO_CONTENT);
        });
  }

  private static SensorTypeJson json(SensorType type, RegistryView view) {
    return SensorTypeJson.of(type, view.devices().values().stream().filter(d -> d.type().equals(type.name())).count());
  }

  private static Problem notFound(String name) {
    return Problem.notFound("sensor type " + name);
  }
}
