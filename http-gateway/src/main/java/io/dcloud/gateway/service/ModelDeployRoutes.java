package io.dcloud.gateway.service;

import static io.dcloud.contract.ContractReader.kindOf;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dcloud.contract.ContractReader;
import io.dcloud.dataset.DatasetVersion;
import io.dcloud.gateway.common.ApiPaths;
import io.dcloud.gateway.common.AuditLog;
import io.dcloud.gateway.common.CallerAttribute;
import io.dcloud.gateway.common.Problem;
import io.dcloud.gateway.common.RequestBodies;
import io.dcloud.gateway.dataset.DatasetAccess;
import io.dcloud.gateway.model.ModelConfigParser;
import io.dcloud.gateway.model.ModelLimits;
import io.dcloud.gateway.model.ModelRoutes;
import io.dcloud.gateway.model.ModelServiceBody;
import io.dcloud.identity.Caller;
import io.dcloud.service.ServiceDefinition;
import io.dcloud.service.ServiceEntity;
import io.dcloud.service.ServiceView;
import io.dcloud.validation.ValidationException;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.PathMatchers;
import org.apache.pekko.http.javadsl.server.Route;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code POST /models/{name}/deploy} ({@code {"version": N}}, the latest when absent): the model
 * service of that name is created from the version ({@link ModelServiceBody}, its config's replicas
 * and batching) or, when the caller's model service of that name exists, rolled to it with
 * {@link ServiceEntity.Update}. Only the model's owner (or an admin) deploys it.
 */
public final class ModelDeployRoutes extends AllDirectives {
  private static final Logger log = LoggerFactory.getLogger(ModelDeployRoutes.class);
  public static final String DEPLOY = "deploy";
  public static final String ACTION = "model.deploy";
  private static final String VERSION = "version";

  private final ModelRoutes models;
  private final DatasetAccess access;
  private final ServiceRoutes services;
  private final ModelLimits limits;
  private final RequestBodies bodies;
  private final AuditLog audit;

  public ModelDeployRoutes(ModelRoutes models, DatasetAccess access, ServiceRoutes services, ModelLimits limits,
      RequestBodies bodies, AuditLog audit) {
    this.models = models;
    this.access = access;
    this.services = services;
    this.limits = limits;
    this.bodies = bodies;
    this.audit = audit;
  }

  public Route route() {
    return pathPrefix(ApiPaths.MODELS, () -> CallerAttribute.of(caller -> path(PathMatchers.segment().slash(DEPLOY), name ->
        post(() -> bodies.optionalDocument(body -> completeWithFuture(deploy(name, version(body), caller)))))));
  }

  /** The version a body names; null: the latest. */
  private static Integer version(JsonNode body) {
    if (body.isMissingNode()) {
      return null;
    } else if (!body.isObject()) {
      throw ValidationException.of("$", "must be an object such as {\"version\": 2}, or no body for the latest version");
    }
    body.fieldNames().forEachRemaining(field -> {
      if (!VERSION.equals(field)) {
        throw ValidationException.of(field, ContractReader.unknownFieldReason(field, Set.of(VERSION)));
      }
    });
    JsonNode value = body.get(VERSION);
    if (ContractReader.absent(value)) {
      return null;
    } else if (!value.isIntegralNumber() || !value.canConvertToInt() || value.intValue() < 1) {
      throw ValidationException.of(VERSION, "must be a model version number (1 or more), not "
          + (value.isNumber() ? value.asText() : kindOf(value)));
    }
    return value.intValue();
  }

  private CompletionStage<HttpResponse> deploy(String name, Integer wanted, Caller caller) {
    if (!ModelConfigParser.NAME.matcher(name).matches()) {
      return CompletableFuture.failedFuture(Problem.notFound("model " + name).exception());
    }
    return access.owned(ModelServiceBody.datasetId(name), caller)
        .thenCompose(model -> services.service(name, ServiceEntity.Get::new).thenCompose(existing -> {
          if (existing instanceof ServiceEntity.Ok ok) {
            refuseUnlessTheCallersModel(ok.view(), caller);
          }
          DatasetVersion version = DatasetAccess.version(model, wanted);
          return models.config(version)
              .thenApply(config -> ModelServiceBody.of(ModelConfigParser.parse(config, limits), version.version()))
              // A later deploy changes the model, not the scale: a service scaled since keeps its replica
              // count, and one that scales itself its autoscaling.
              .thenApply(body -> existing instanceof ServiceEntity.Ok ok ? scaledAsNow(body, ok.view()) : body)
              .thenCompose(body -> services.definition(body, caller))
              .thenCompose(resolved -> existing instanceof ServiceEntity.Ok
                  ? update(resolved, version.version(), caller)
                  : create(resolved, version.version(), caller));
        }));
  }

  private static ObjectNode scaledAsNow(ObjectNode body, ServiceView view) {
    body.put("replicas", view.desiredReplicas());
    if (view.autoscaling() != null) {
      // As many as now, within its bounds (none, scaled to zero).
      body.set(AutoscalingRequests.AUTOSCALING, AutoscalingRequests.written(view.autoscaling()));
    }
    return body;
  }

  /** A service of that name that is not the caller's model service is not the deployment's to change. */
  private void refuseUnlessTheCallersModel(ServiceView view, Caller caller) {
    if (view.kind() != ServiceDefinition.Kind.MODEL || !caller.mayAccess(view.owner()) || view.deleting()) {
      audit.record(caller, ACTION, view.name(), "name taken");
      throw Problem.conflict("the service name " + view.name() + " is taken by "
          + (view.deleting() ? "a service being deleted" : view.kind() == ServiceDefinition.Kind.MODEL
              ? "another user's model service" : "an app")
          + ": the model's service must have its name").exception();
    }
  }

  private CompletionStage<HttpResponse> create(ServiceDeployments.Resolved resolved, int version, Caller caller) {
    ServiceDefinition definition = resolved.definition();
    return services.deployments().create(resolved, caller)
        .thenApply(view -> {
          audit.record(caller, ACTION, definition.name(), "version " + version + ": service created");
          log.info("Model {}: {} deployed version {} as a new service of {} replicas", definition.name(),
              caller.username(), version, definition.replicas());
          return services.created(view, caller);
        });
  }

  private CompletionStage<HttpResponse> update(ServiceDeployments.Resolved resolved, int version, Caller caller) {
    ServiceDefinition definition = resolved.definition();
    return services.deployments().update(resolved, caller)
        .thenApply(view -> {
          audit.record(caller, ACTION, definition.name(), "version " + version + ": service at version " + view.version());
          log.info("Model {}: {} deployed version {}; the service rolls to its version {}", definition.name(),
              caller.username(), version, view.version());
          return services.json(StatusCodes.OK, view);
        });
  }
}
