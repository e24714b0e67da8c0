package io.dcloud.gateway.device;

import io.dcloud.device.Device;
import io.dcloud.device.DeviceRegistry;
import io.dcloud.device.RegistryView;
import io.dcloud.gateway.common.ClusterAsks;
import io.dcloud.gateway.common.Problem;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * The device routes' questions to the registry: its whole view for reads, and changes whose
 * refusals become the problem they mean (NOT_FOUND 404, CONFLICT 409, INVALID 422 naming the field).
 */
public final class DeviceRegistryAsks {
  private final ClusterAsks asks;

  public DeviceRegistryAsks(ClusterAsks asks) {
    this.asks = asks;
  }

  public CompletionStage<RegistryView> view() {
    return asks.deviceRegistry(DeviceRegistry.GetView::new);
  }

  /** The device, or the 404 of a missing one (ids that could not be one are not asked about). */
  CompletionStage<Device> device(String id) {
    if (!SensorTypeRequests.isValidName(id)) {
      return CompletableFuture.failedFuture(notFound(id).exception());
    }
    return view().thenApply(view -> {
      Device device = view.devices().get(id);
      if (device == null) {
        throw notFound(id).exception();
      }
      return device;
    });
  }

  /** A change's answer; a refusal fails the stage with its problem. */
  @SuppressWarnings("unchecked")
  public <R extends DeviceRegistry.Reply> CompletionStage<R> change(
      Function<ActorRef<DeviceRegistry.Reply>, DeviceRegistry.Command> command) {
    return asks.<DeviceRegistry.Reply>deviceRegistry(command).thenApply(reply -> {
      if (reply instanceof DeviceRegistry.Refused refused) {
        throw problem(refused).exception();
      }
      return (R) reply;
    });
  }

  static Problem problem(DeviceRegistry.Refused refused) {
    return switch (refused.refusal()) {
      case NOT_FOUND -> Problem.of(Problem.Type.NOT_FOUND, refused.detail());
      case CONFLICT -> refused.field() == null
          ? Problem.conflict(refused.detail())
          : Problem.of(Problem.Type.CONFLICT, refused.detail(), refused.field(), refused.detail());
      case INVALID -> Problem.of(Problem.Type.VALIDATION_FAILED, refused.detail(),
          refused.field() == null ? "$" : refused.field(), refused.detail());
    };
  }

  static Problem notFound(String deviceId) {
    return Problem.notFound("device " + deviceId);
  }
}
