package io.dcloud.gateway.device;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.dcloud.ask.Asks;
import io.dcloud.device.Device;
import io.dcloud.device.DeviceCommand;
import io.dcloud.device.DeviceCommands;
import io.dcloud.device.FieldValues;
import io.dcloud.device.SensorType;
import io.dcloud.gateway.common.ApiPaths;
import io.dcloud.gateway.common.AuditLog;
import io.dcloud.gateway.common.CallerAttribute;
import io.dcloud.gateway.common.ClusterAsks;
import io.dcloud.gateway.common.DeviceBackends;
import io.dcloud.gateway.common.JsonYaml;
import io.dcloud.gateway.common.Problem;
import io.dcloud.gateway.common.RequestBodies;
import io.dcloud.gateway.identity.Authentication;
import io.dcloud.identity.Caller;
import io.dcloud.validation.FieldError;
import io.dcloud.validation.ValidationException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import java.util.stream.Stream;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.headers.Location;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.PathMatchers;
import org.apache.pekko.http.javadsl.server.Route;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code /devices/{id}/commands}: platform configurers (and admins) command a controller, checked
 * against its type; everyone follows the commands (apps command their bound controllers over MQTT).
 * The command's entity sends it until the device acknowledges it: the answer is 202 and PENDING.
 */
public final class DeviceCommandRoutes extends AllDirectives {
  public static final String COMMANDS = "commands";
  private static final Set<String> FIELDS = Set.of("name", "params");
  private static final Logger log = LoggerFactory.getLogger(DeviceCommandRoutes.class);

  private final ClusterAsks asks;
  private final DeviceRegistryAsks registry;
  private final JsonYaml codec;
  private final RequestBodies bodies;
  private final AuditLog audit;
  private final Clock clock;

  public DeviceCommandRoutes(
      ClusterAsks asks, DeviceRegistryAsks registry, JsonYaml codec, RequestBodies bodies, AuditLog audit, Clock clock) {
    this.asks = asks;
    this.registry = registry;
    this.codec = codec;
    this.bodies = bodies;
    this.audit = audit;
    this.clock = clock;
  }

  public Route route() {
    return pathPrefix(DeviceRoutes.DEVICES, () -> CallerAttribute.of(caller -> concat(
        path(PathMatchers.segment().slash(COMMANDS), id -> concat(
            get(() -> completeWithFuture(list(id))),
            post(() -> Authentication.requireAny(caller, Authentication.CONFIGURERS, () ->
                bodies.document(body -> completeWithFuture(issue(id, body, caller))))))),
        path(PathMatchers.segment().slash(COMMANDS).slash(PathMatchers.segment()), (id, commandId) ->
            get(() -> completeWithFuture(show(id, commandId)))))));
  }

  private CompletionStage<HttpResponse> issue(String id, JsonNode body, Caller caller) {
    if (!asks.devices().brokerEnabled()) {
      throw DeviceBackends.brokerOff().exception();
    }
    if (!body.isObject()) {
      throw ValidationException.of("$", "must be an object such as {\"name\": \"set\", \"params\": {...}}");
    }
    return registry.device(id).thenCompose(device -> registry.view().thenCompose(view -> {
      SensorType type = view.types().get(device.type());
      JsonNode params = checked(device.id(), type, body);
      DeviceCommand command = new DeviceCommand(UUID.randomUUID().toString(), id, body.get("name").textValue(),
          params.toString(), caller.username(), clock.instant(), DeviceCommand.Status.PENDING, 0, null, null, null);
      return this.<DeviceCommand>ask(id, replyTo -> new DeviceCommands.Issue(command, replyTo)).thenApply(issued -> {
        log.info("Device {}: command {} ({}) issued by {}", id, issued.id(), issued.name(), caller.username());
        audit.record(caller, "device.command", id + " " + issued.name(), "ok");
        return codec.jsonResponse(StatusCodes.ACCEPTED, DeviceCommandJson.of(issued, codec.mapper()))
            .addHeader(Location.create(ApiPaths.ROOT + "/" + DeviceRoutes.DEVICES + "/" + id + "/" + COMMANDS + "/"
                + issued.id()));
      });
    }));
  }

  /** The parameters (an empty object when left out), checked against the command the type declares. */
  private static JsonNode checked(String deviceId, SensorType type, JsonNode body) {
    List<FieldError> errors = new ArrayList<>();
    SensorTypeRequests.unknown("", body, FIELDS, errors);
    JsonNode name = body.get("name");
    JsonNode params = body.get("params") == null || body.get("params").isNull()
        ? JsonNodeFactory.instance.objectNode() : body.get("params");
    SensorType.CommandSpec spec = null;
    if (type == null || type.kind() != SensorType.Kind.CONTROLLER) {
      errors.add(new FieldError("name", "device " + deviceId + " is not a controller: it takes no commands"));
    } else if (name == null || !name.isTextual()) {
      errors.add(new FieldError("name", "is required: one of " + String.join(", ", type.commands().keySet().stream()
          .sorted().toList())));
    } else if ((spec = type.commands().get(name.textValue())) == null) {
      errors.add(new FieldError("name", io.dcloud.contract.ContractReader.quote(name.textValue(), 40) + " is not a"
          + " command of type " + type.name() + ": one of " + String.join(", ", type.commands().keySet().stream()
          .sorted().toList())));
    }
    if (errors.isEmpty()) {
      try {
        FieldValues.check(spec.params(), params, Set.of(), true);
      } catch (FieldValues.Invalid invalid) {
        errors.add(new FieldError(invalid.field() == null ? "params" : "params." + invalid.field(), invalid.getMessage()));
      }
    }
    if (!errors.isEmpty()) {
      throw new ValidationException(errors);
    }
    return params;
  }

  private CompletionStage<HttpResponse> list(String id) {
    return registry.device(id)
        .thenCompose(device -> this.<DeviceCommands.CommandList>ask(id, DeviceCommands.ListCommands::new)
            .thenApply(list -> codec.jsonResponse(StatusCodes.OK, new DeviceCommandJson.Listing(ofThis(device, list)
                .map(command -> DeviceCommandJson.of(command, codec.mapper())).toList()))));
  }

  private CompletionStage<HttpResponse> show(String id, String commandId) {
    return registry.device(id)
        .thenCompose(device -> this.<DeviceCommands.CommandList>ask(id, replyTo -> new DeviceCommands.Get(commandId, replyTo))
            .thenApply(list -> codec.jsonResponse(StatusCodes.OK, ofThis(device, list).findFirst()
                .map(command -> DeviceCommandJson.of(command, codec.mapper()))
                .orElseThrow(() -> Problem.notFound("command " + commandId + " of device " + id).exception()))));
  }

  /**
   * The commands issued since {@code device} was registered: those of an earlier device of the same
   * id are forgotten when it is deleted, and never shown should that have failed.
   */
  private static Stream<DeviceCommand> ofThis(Device device, DeviceCommands.CommandList list) {
    return list.commands().stream()
        .filter(command -> device.createdAt() == null || !command.issuedAt().isBefore(device.createdAt()));
  }

  private <R> CompletionStage<R> ask(String deviceId, Function<ActorRef<R>, DeviceCommands.Command> command) {
    return Asks.completedOn(asks.devices().commands().apply(deviceId).ask(command::apply, asks.timeout()),
        asks.system().executionContext());
  }
}
