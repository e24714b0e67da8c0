package io.dcloud.gateway.model;

import com.fasterxml.jackson.databind.JsonNode;
import io.dcloud.dataset.DatasetEntity;
import io.dcloud.dataset.DatasetState;
import io.dcloud.dataset.DatasetVersion;
import io.dcloud.gateway.common.ApiPaths;
import io.dcloud.gateway.common.AuditLog;
import io.dcloud.gateway.common.CallerAttribute;
import io.dcloud.gateway.common.JsonYaml;
import io.dcloud.gateway.common.Problem;
import io.dcloud.gateway.common.RuntimeChecks;
import io.dcloud.gateway.common.UploadParts;
import io.dcloud.gateway.dataset.DatasetAccess;
import io.dcloud.gateway.dataset.DatasetRoutes;
import io.dcloud.gateway.dataset.DatasetTransfers;
import io.dcloud.identity.Caller;
import io.dcloud.identity.Role;
import io.dcloud.validation.FieldError;
import io.dcloud.validation.ValidationException;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Metrics;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.Multipart;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.http.javadsl.unmarshalling.Unmarshaller;
import org.apache.pekko.http.scaladsl.model.EntityStreamSizeException;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.util.ByteString;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code /models}: {@code POST} a model version (multipart {@code model}, {@code contract},
 * {@code config}), stored through the dataset upload path as the next version of dataset
 * {@code models/<name>/bundle} ({@link ModelBundle}); {@code GET} the caller's models, and one
 * model's versions with its latest config. A model is its bundle dataset: owned, shared and deleted
 * as one (404 to whoever may not read it).
 */
public final class ModelRoutes extends AllDirectives {
  private static final Logger log = LoggerFactory.getLogger(ModelRoutes.class);
  static final String PUSH_ACTION = "model.push";
  /** Who may upload: data scientists (and admins, who may everything). */
  private static final Set<Role> UPLOADERS = Set.of(Role.DATA_SCIENTIST);
  /** Room for the multipart framing and the small parts around the artifact. */
  private static final long FRAMING = 64 * 1024;

  private final ActorSystem<?> system;
  private final DatasetAccess access;
  private final DatasetTransfers transfers;
  private final RuntimeChecks checks;
  private final ModelLimits limits;
  private final JsonYaml codec;
  private final AuditLog audit;
  private final Counter pushes;

  public ModelRoutes(ActorSystem<?> system, DatasetRoutes datasets, RuntimeChecks checks, ModelLimits limits, JsonYaml codec,
      AuditLog audit) {
    this.system = system;
    this.access = datasets.access();
    this.transfers = datasets.transfers();
    this.checks = checks;
    this.limits = limits;
    this.codec = codec;
    this.audit = audit;
    this.pushes = Counter.builder("dcloud.models.pushes").description("Model versions uploaded through this gateway")
        .register(Metrics.globalRegistry);
  }

  public Route route() {
    return pathPrefix(ApiPaths.MODELS, () -> CallerAttribute.of(caller -> concat(
        pathEnd(() -> concat(
            post(() -> push(caller)),
            get(() -> completeWithFuture(list(caller))))),
        path(name -> get(() -> completeWithFuture(model(name, caller)))))));
  }

  private Route push(Caller caller) {
    // The request lasts as long as a transfer may, and may be as large as the artifact allows.
    return withSizeLimit(limits.maxSize() + 2 * limits.maxDocumentSize() + FRAMING, () -> withRequestTimeout(
        scala.concurrent.duration.Duration.fromNanos(limits.transferTimeout().toNanos()),
        () -> extractRequestEntity(entity -> {
          if (!caller.hasAny(UPLOADERS)) {
            audit.record(caller, PUSH_ACTION, "models", "forbidden");
            // Unread, the body would hold the connection until it timed out.
            entity.getDataBytes().runWith(Sink.ignore(), system);
            throw Problem.of(Problem.Type.FORBIDDEN, "only data scientists and admins may upload models").exception();
          }
          return entity(Unmarshaller.entityToMultipartFormData(), form -> completeWithFuture(upload(caller, form)));
        })));
  }

  private CompletionStage<HttpResponse> upload(Caller caller, Multipart.FormData form) {
    return ModelParts.read(form, limits, system)
        .exceptionally(failure -> {
          if (UploadParts.causedBy(failure, EntityStreamSizeException.class)) {
            audit.record(caller, PUSH_ACTION, "models", "too large");
            throw Problem.of(Problem.Type.BODY_TOO_LARGE, "the model is larger than " + limits.maxSize()
                + " bytes (dcloud.models.max-size)").exception();
          }
          throw failure instanceof RuntimeException runtime ? runtime : new IllegalStateException(failure);
        })
        // From a completed stage, so that a check that throws still reaches the discard.
        .thenCompose(parts -> CompletableFuture.completedFuture(parts).thenCompose(this::checked)
            .thenCompose(config -> stored(caller, parts, config))
            .whenComplete((pushed, failure) -> parts.discard()));
  }

  /** The config, once every part and field is fine; else one 422 naming them all. */
  private CompletionStage<ModelConfig> checked(ModelParts parts) {
    List<FieldError> errors = new ArrayList<>(parts.errors());
    ModelConfig config = null;
    if (parts.config() != null) {
      try {
        config = ModelConfigParser.parse(UploadParts.config(codec, parts.config(), parts.configType()), limits);
      } catch (ValidationException invalid) {
        errors.addAll(invalid.errors());
      }
    }
    if (!errors.isEmpty()) {
      throw new ValidationException(List.copyOf(errors));
    }
    ModelConfig valid = config;
    return checks.check(valid.name(), ModelServiceBody.environment(valid, 1)).thenApply(fine -> valid);
  }

  private CompletionStage<HttpResponse> stored(Caller caller, ModelParts parts, ModelConfig config) {
    String id = ModelServiceBody.datasetId(config.name());
    ByteString configJson = ByteString.fromArray(codec.toJson(config.document()));
    return access.<DatasetState>ask(id, DatasetEntity.Get::new)
        .thenCompose(state -> {
          if (state.owner() != null && !caller.mayAccess(state.owner())) {
            audit.record(caller, PUSH_ACTION, id, "name taken");
            throw Problem.conflict("the model name " + config.name() + " is taken: choose another name").exception();
          }
          return transfers.stored(id, caller, ModelBundle.CONTENT_TYPE, ModelBundle.of(configJson, parts.contract(),
              parts.artifact(), parts.extension(), parts.artifactSize()));
        })
        .thenApply(version -> {
          pushes.increment();
          audit.record(caller, PUSH_ACTION, id, "version " + version.version() + ": model." + parts.extension() + " of "
              + parts.artifactSize() + " bytes, bundle sha256 " + version.sha256());
          log.info("Model {}: {} pushed version {} (model.{}, {} bytes)", config.name(), caller.username(),
              version.version(), parts.extension(), parts.artifactSize());
          return codec.jsonResponse(StatusCodes.CREATED,
              new ModelJson.Pushed(config.name(), version.version(), version.size(), version.sha256()));
        });
  }

  private CompletionStage<HttpResponse> list(Caller caller) {
    String prefix = ModelServiceBody.CATEGORY + "/";
    return access.backends().listing().list(prefix).thenApply(states -> codec.jsonResponse(StatusCodes.OK,
        new ModelJson.Listing(states.stream()
            .filter(state -> state.exists() && DatasetAccess.mayRead(state, caller))
            .filter(state -> state.id().endsWith("/" + ModelServiceBody.BUNDLE))
            .map(state -> ModelJson.Entry.of(name(state.id()), state))
            .toList())));
  }

  private CompletionStage<HttpResponse> model(String name, Caller caller) {
    if (!ModelConfigParser.NAME.matcher(name).matches()) {
      throw Problem.notFound("model " + name).exception();
    }
    return access.readable(ModelServiceBody.datasetId(name), caller)
        .thenCompose(state -> BundleConfig.latest(state, ModelBundle.CONFIG, access.backends().blobs(), codec, system)
            .thenApply(config -> codec.jsonResponse(StatusCodes.OK,
            new ModelJson.Model(name, state.owner(),
                state.versions().stream().map(ModelJson.Version::of).toList(), config))));
  }

  /** A version's config.json, its bundle's first entry. */
  public CompletionStage<JsonNode> config(DatasetVersion version) {
    return BundleConfig.of(version, ModelBundle.CONFIG, access.backends().blobs(), codec, system);
  }

  /** {@code models/<name>/bundle} → {@code <name>}. */
  private static String name(String datasetId) {
    return datasetId.substring(ModelServiceBody.CATEGORY.length() + 1, datasetId.lastIndexOf('/'));
  }
}
