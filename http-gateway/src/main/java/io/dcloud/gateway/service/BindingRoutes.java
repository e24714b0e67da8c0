package io.dcloud.gateway.service;

import com.fasterxml.jackson.databind.JsonNode;
import io.dcloud.contract.ContractReader;
import io.dcloud.device.Binding;
import io.dcloud.device.DeviceRegistry;
import io.dcloud.gateway.common.ApiPaths;
import io.dcloud.gateway.common.AuditLog;
import io.dcloud.gateway.common.CallerAttribute;
import io.dcloud.gateway.common.DeviceBackends;
import io.dcloud.gateway.common.JsonYaml;
import io.dcloud.gateway.common.Problem;
import io.dcloud.gateway.common.RequestBodies;
import io.dcloud.gateway.device.DeviceRegistryAsks;
import io.dcloud.gateway.device.SensorTypeRequests;
import io.dcloud.identity.Caller;
import io.dcloud.service.ServiceEntity;
import io.dcloud.service.ServiceView;
import io.dcloud.validation.FieldError;
import io.dcloud.validation.ValidationException;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
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
 * {@code /services/{name}/bindings}: whoever may call a service (its owner, admins, end users) binds
 * it to devices of the types its app declared; the service's app then receives their readings and
 * may command those controllers. A binding is its maker's: others see only their own (the
 * service's owner and admins see all) and only its maker or an admin deletes it.
 */
public final class BindingRoutes extends AllDirectives {
  public static final String BINDINGS = "bindings";
  private static final int ID_BYTES = 6;
  /** A binding names at most this many devices: the registry's own bound, known before asking it. */
  private static final int MAX_DEVICES = 1000;
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final Logger log = LoggerFactory.getLogger(BindingRoutes.class);

  private final ServiceRoutes services;
  private final DeviceRegistryAsks registry;
  private final JsonYaml codec;
  private final RequestBodies bodies;
  private final AuditLog audit;
  private final Clock clock;
  private final boolean brokerEnabled;

  public BindingRoutes(
      ServiceRoutes services, DeviceRegistryAsks registry, JsonYaml codec, RequestBodies bodies, AuditLog audit,
      Clock clock, boolean brokerEnabled) {
    this.services = services;
    this.registry = registry;
    this.brokerEnabled = brokerEnabled;
    this.codec = codec;
    this.bodies = bodies;
    this.audit = audit;
    this.clock = clock;
  }

  public Route route() {
    return pathPrefix(ServiceRoutes.SERVICES, () -> CallerAttribute.of(caller -> concat(
        path(PathMatchers.segment().slash(BINDINGS), name -> concat(
            get(() -> completeWithFuture(list(name, caller))),
            post(() -> bodies.document(body -> completeWithFuture(create(name, body, caller)))))),
        path(PathMatchers.segment().slash(BINDINGS).slash(PathMatchers.segment()), (name, id) ->
            delete(() -> completeWithFuture(remove(name, id, caller)))))));
  }

  private CompletionStage<HttpResponse> create(String name, JsonNode body, Caller caller) {
    if (!brokerEnabled) {
      // A binding made now would feed nothing: readings and commands travel through the broker.
      throw DeviceBackends.brokerOff().exception();
    }
    List<String> devices = devices(body);
    return callable(name, caller).thenCompose(view -> {
      if (view.bindings().isEmpty()) {
        throw ValidationException.of("devices", "service " + name + " declares no device bindings");
      }
      Binding binding = new Binding(newId(), name, caller.username(), devices, clock.instant());
      return registry.<DeviceRegistry.BindingDone>change(replyTo ->
          new DeviceRegistry.CreateBinding(binding, view.bindings(), replyTo));
    }).thenApply(done -> {
      Binding binding = done.binding();
      log.info("Service {} bound to {} by {} (binding {})", name, binding.devices(), caller.username(), binding.id());
      audit.record(caller, "service.bind", name + " " + binding.id(), "ok");
      return codec.jsonResponse(StatusCodes.CREATED, BindingJson.of(binding)).addHeader(Location.create(
          ApiPaths.ROOT + "/" + ServiceRoutes.SERVICES + "/" + name + "/" + BINDINGS + "/" + binding.id()));
    });
  }

  private CompletionStage<HttpResponse> list(String name, Caller caller) {
    return callable(name, caller).thenCompose(service -> registry.view().thenApply(view ->
        codec.jsonResponse(StatusCodes.OK, new BindingJson.Listing(view.bindingsOf(name).stream()
            .filter(binding -> caller.mayAccess(service.owner()) || caller.mayAccess(binding.owner()))
            .map(BindingJson::of).toList()))));
  }

  private CompletionStage<HttpResponse> remove(String name, String id, Caller caller) {
    return callable(name, caller)
        .thenCompose(service -> registry.view())
        .thenCompose(view -> {
          Binding binding = view.bindings().get(id);
          if (binding == null || !binding.service().equals(name) || !caller.mayAccess(binding.owner())) {
            throw notFound(name, id).exception();
          }
          return registry.<DeviceRegistry.Reply>change(replyTo -> new DeviceRegistry.DeleteBinding(id, replyTo));
        })
        .thenApply(done -> {
          log.info("Service {}'s binding {} deleted by {}", name, id, caller.username());
          audit.record(caller, "service.unbind", name + " " + id, "ok");
          return HttpResponse.create().withStatus(StatusCodes.NO_CONTENT);
        });
  }

  /** The service when the caller may call it (as the call routes decide); anyone else gets a missing one's 404. */
  private CompletionStage<ServiceView> callable(String name, Caller caller) {
    if (!ServiceRequests.isValidName(name)) {
      return CompletableFuture.failedFuture(Problem.notFound("service " + name).exception());
    }
    return services.service(name, ServiceEntity.Get::new).thenApply(reply -> {
      ServiceView view = ServiceRoutes.viewOf(name, reply);
      if (view.deleting() || !ServiceRoutes.readable(view, caller)) {
        throw Problem.notFound("service " + name).exception();
      }
      return view;
    });
  }

  /** {@code devices}: a non-empty array of distinct device ids. */
  private static List<String> devices(JsonNode body) {
    if (!body.isObject()) {
      throw ValidationException.of("$", "must be an object such as {\"devices\": [\"thermo-1\"]}");
    }
    List<FieldError> errors = new ArrayList<>();
    SensorTypeRequests.unknown("", body, Set.of("devices"), errors);
    JsonNode devices = body.get("devices");
    Set<String> ids = new LinkedHashSet<>();
    if (devices == null || !devices.isArray() || devices.isEmpty() || devices.size() > MAX_DEVICES) {
      errors.add(new FieldError("devices", "must be an array of 1 to " + MAX_DEVICES
          + " device ids"));
    } else {
      for (int i = 0; i < devices.size(); i++) {
        JsonNode id = devices.get(i);
        if (!id.isTextual() || !SensorTypeRequests.isValidName(id.textValue())) {
          errors.add(new FieldError("devices[" + i + "]", "must be a device id, not "
              + (id.isTextual() ? ContractReader.quote(id.textValue(), 40) : ContractReader.kindOf(id))));
        } else if (!ids.add(id.textValue())) {
          errors.add(new FieldError("devices[" + i + "]", id.textValue() + " is named twice"));
        }
      }
    }
    if (!errors.isEmpty()) {
      throw new ValidationException(errors);
    }
    return List.copyOf(ids);
  }

  private static String newId() {
    byte[] bytes = new byte[ID_BYTES];
    RANDOM.nextBytes(bytes);
    return HexFormat.of().formatHex(bytes);
  }

  private static Problem notFound(String service, String id) {
    return Problem.notFound("binding " + id + " of service " + service);
  }
}
