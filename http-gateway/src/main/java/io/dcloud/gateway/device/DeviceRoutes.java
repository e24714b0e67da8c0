package io.dcloud.gateway.device;

import com.fasterxml.jackson.databind.JsonNode;
import io.dcloud.device.Device;
import io.dcloud.device.DeviceActivity;
import io.dcloud.device.DeviceRegistry;
import io.dcloud.device.DeviceSecrets;
import io.dcloud.device.DeviceTopics;
import io.dcloud.gateway.common.ApiPaths;
import io.dcloud.gateway.common.AuditLog;
import io.dcloud.gateway.common.CallerAttribute;
import io.dcloud.gateway.common.DeviceBackends;
import io.dcloud.gateway.common.JsonYaml;
import io.dcloud.gateway.common.Problem;
import io.dcloud.gateway.common.RequestBodies;
import io.dcloud.gateway.identity.Authentication;
import io.dcloud.identity.Caller;
import java.time.Clock;
import java.util.Comparator;
import java.util.Map;
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

/**
 * {@code /devices}: platform configurers (and admins) register, disable, enable, delete devices and
 * rotate their credentials; everyone reads them. A device's password is derived, never stored: it
 * is shown when the device is made or its credentials rotated, and then never again.
 */
public final class DeviceRoutes extends AllDirectives {
  public static final String DEVICES = "devices";
  public static final String BROKER = "broker";
  public static final String DISABLE = "disable";
  public static final String ENABLE = "enable";
  public static final String CREDENTIALS = "credentials";
  private static final Logger log = LoggerFactory.getLogger(DeviceRoutes.class);

  private final DeviceRegistryAsks registry;
  private final DeviceBackends backends;
  private final JsonYaml codec;
  private final RequestBodies bodies;
  private final AuditLog audit;
  private final Clock clock;

  public DeviceRoutes(
      DeviceRegistryAsks registry, DeviceBackends backends, JsonYaml codec, RequestBodies bodies, AuditLog audit,
      Clock clock) {
    this.registry = registry;
    this.backends = backends;
    this.codec = codec;
    this.bodies = bodies;
    this.audit = audit;
    this.clock = clock;
  }

  public Route route() {
    return pathPrefix(DEVICES, () -> CallerAttribute.of(caller -> concat(
        pathEndOrSingleSlash(() -> concat(
            get(() -> parameterMap(filters -> completeWithFuture(list(filters)))),
            post(() -> configurer(caller, () -> bodies.document(body -> completeWithFuture(create(body, caller))))))),
        path(BROKER, () -> get(() -> complete(codec.jsonResponse(StatusCodes.OK,
            new DeviceJson.Broker(brokerUrl()))))),
        path(PathMatchers.segment(), id -> concat(
            get(() -> completeWithFuture(show(id))),
            delete(() -> configurer(caller, () -> completeWithFuture(remove(id, caller)))))),
        path(PathMatchers.segment().slash(DISABLE), id -> post(() -> configurer(caller, () ->
            completeWithFuture(enabled(id, false, caller))))),
        path(PathMatchers.segment().slash(ENABLE), id -> post(() -> configurer(caller, () ->
            completeWithFuture(enabled(id, true, caller))))),
        path(PathMatchers.segment().slash(CREDENTIALS), id -> post(() -> configurer(caller, () ->
            completeWithFuture(rotate(id, caller))))))));
  }

  private static Route configurer(Caller caller, java.util.function.Supplier<Route> inner) {
    return Authentication.requireAny(caller, Authentication.CONFIGURERS, inner);
  }

  /** Filters: {@code type}, and the location's {@code site}, {@code building}, {@code room}. */
  private CompletionStage<HttpResponse> list(Map<String, String> filters) {
    io.dcloud.device.Location where = new io.dcloud.device.Location(filters.get("site"), filters.get("building"), filters.get("room"), null, null);
    String type = filters.get("type");
    return registry.view().thenApply(view -> codec.jsonResponse(StatusCodes.OK, new DeviceJson.Listing(
        view.devices().values().stream()
            .filter(device -> (type == null || type.equals(device.type())) && device.location().matches(where))
            .sorted(Comparator.comparing(Device::id))
            .map(device -> DeviceJson.of(device, view, null)).toList())));
  }

  private CompletionStage<HttpResponse> show(String id) {
    return registry.device(id).thenCompose(device -> backends.readings().activity(id)
        .thenCompose(activity -> json(device, activity)))
        .thenApply(json -> codec.jsonResponse(StatusCodes.OK, json));
  }

  private CompletionStage<HttpResponse> create(JsonNode body, Caller caller) {
    DeviceSecrets secrets = secrets();
    Device device = DeviceRequests.parse(body, caller.username(), clock.instant());
    return registry.<DeviceRegistry.DeviceDone>change(replyTo -> new DeviceRegistry.RegisterDevice(device, replyTo))
        .thenCompose(done -> json(done.device(), DeviceActivity.NONE).thenApply(json -> {
          log.info("Device {} ({}) registered by {}", device.id(), device.type(), caller.username());
          audit.record(caller, "device.create", device.id(), "ok");
          return codec.jsonResponse(StatusCodes.CREATED, DeviceJson.Created.of(json, credentials(done.device(), secrets)))
              .addHeader(Location.create(ApiPaths.ROOT + "/" + DEVICES + "/" + device.id()));
        }));
  }

  private CompletionStage<HttpResponse> enabled(String id, boolean enabled, Caller caller) {
    return known(id)
        .thenCompose(valid -> registry.<DeviceRegistry.DeviceDone>change(replyTo ->
            new DeviceRegistry.SetEnabled(id, enabled, replyTo)))
        .thenCompose(done -> backends.readings().activity(id).thenCompose(activity -> json(done.device(), activity)))
        .thenApply(json -> {
          log.info("Device {} {} by {}", id, enabled ? "enabled" : "disabled", caller.username());
          audit.record(caller, enabled ? "device.enable" : "device.disable", id, "ok");
          return codec.jsonResponse(StatusCodes.OK, json);
        });
  }

  /** A new nonce: the old password stops working once the broker's rules follow the registry. */
  private CompletionStage<HttpResponse> rotate(String id, Caller caller) {
    DeviceSecrets secrets = secrets();
    String nonce = DeviceSecrets.newNonce();
    return known(id)
        .thenCompose(valid -> registry.<DeviceRegistry.DeviceDone>change(replyTo ->
            new DeviceRegistry.RotateCredentials(id, nonce, replyTo)))
        .thenApply(done -> {
          log.info("Device {}'s credentials rotated by {}", id, caller.username());
          audit.record(caller, "device.credentials", id, "ok");
          return codec.jsonResponse(StatusCodes.OK, credentials(done.device(), secrets));
        });
  }

  /** What the device left (readings, commands) the registry erases after this answer. */
  private CompletionStage<HttpResponse> remove(String id, Caller caller) {
    return known(id)
        .thenCompose(valid -> registry.<DeviceRegistry.Reply>change(replyTo ->
            new DeviceRegistry.DeleteDevice(id, caller.username(), replyTo)))
        .thenApply(done -> {
          log.info("Device {} deleted by {}", id, caller.username());
          audit.record(caller, "device.delete", id, "ok");
          return HttpResponse.create().withStatus(StatusCodes.NO_CONTENT);
        });
  }

  private CompletionStage<Void> known(String id) {
    return SensorTypeRequests.isValidName(id) ? CompletableFuture.completedFuture(null)
        : CompletableFuture.failedFuture(DeviceRegistryAsks.notFound(id).exception());
  }

  /** As shown: with the type's kind and the services it is bound to, from the registry as it is now. */
  private CompletionStage<DeviceJson> json(Device device, DeviceActivity activity) {
    return registry.view().thenApply(view -> DeviceJson.of(device, view, activity));
  }

  private DeviceJson.Credentials credentials(Device device, DeviceSecrets secrets) {
    return new DeviceJson.Credentials(DeviceTopics.deviceUsername(device.id()), secrets.devicePassword(device),
        backends.brokerUrl());
  }

  private String brokerUrl() {
    if (!backends.brokerEnabled()) {
      throw DeviceBackends.brokerOff().exception();
    }
    return backends.brokerUrl();
  }

  /**
   * Without a broker or a secrets key no device can be given credentials it could use: say what is
   * missing rather than make a device none can use.
   */
  private DeviceSecrets secrets() {
    brokerUrl();
    if (backends.secrets() == null) {
      throw noSecrets().exception();
    }
    return backends.secrets();
  }

  public static Problem noSecrets() {
    return Problem.forStatus(StatusCodes.SERVICE_UNAVAILABLE, "devices need dcloud.secrets.key: configure the cluster's"
        + " secrets key to give devices and apps broker credentials");
  }
}
