package io.dcloud.gateway.app;

import io.dcloud.dataset.DatasetEntity;
import io.dcloud.dataset.DatasetState;
import io.dcloud.dataset.DatasetVersion;
import io.dcloud.gateway.common.ApiPaths;
import io.dcloud.gateway.common.AuditLog;
import io.dcloud.gateway.common.CallerAttribute;
import io.dcloud.gateway.common.ConfigFields;
import io.dcloud.gateway.common.JsonYaml;
import io.dcloud.gateway.common.Problem;
import io.dcloud.gateway.common.RuntimeChecks;
import io.dcloud.gateway.common.UploadParts;
import io.dcloud.gateway.dataset.DatasetAccess;
import io.dcloud.gateway.dataset.DatasetRoutes;
import io.dcloud.gateway.dataset.DatasetTransfers;
import io.dcloud.gateway.environment.EnvironmentCreation;
import io.dcloud.gateway.model.BundleConfig;
import io.dcloud.gateway.model.ModelJson;
import io.dcloud.gateway.service.ServiceDeployments;
import io.dcloud.gateway.service.ServiceJson;
import io.dcloud.gateway.service.ServiceRequests;
import io.dcloud.gateway.service.ServiceRoutes;
import io.dcloud.identity.Caller;
import io.dcloud.identity.Role;
import io.dcloud.service.ServiceDefinition;
import io.dcloud.validation.FieldError;
import io.dcloud.validation.ValidationException;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Metrics;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.Multipart;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.headers.Location;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.http.javadsl.unmarshalling.Unmarshaller;
import org.apache.pekko.http.scaladsl.model.EntityStreamSizeException;
import org.apache.pekko.stream.javadsl.FileIO;
import org.apache.pekko.stream.javadsl.Sink;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code /apps}: {@code POST} an app (multipart {@code source} archive and {@code config}): the
 * source, checked and rewritten as one tar ({@link AppArchive}), is stored through the dataset
 * upload path as the next version of dataset {@code apps/<name>/source}, then the app's service is
 * created (201) or, when the caller's exists, updated to run that version (200). {@code GET} the
 * caller's apps, and one app's source versions with its latest config. An app is its source
 * dataset and its service: owned as one, 404 to whoever may not read it.
 */
public final class AppRoutes extends AllDirectives {
  private static final Logger log = LoggerFactory.getLogger(AppRoutes.class);
  static final String PUSH_ACTION = "app.push";
  /** Who may push: app developers (and admins, who may everything). */
  private static final Set<Role> PUSHERS = Set.of(Role.APP_DEVELOPER);
  /** Room for the multipart framing around the parts. */
  private static final long FRAMING = 64 * 1024;

  private final ActorSystem<?> system;
  private final DatasetAccess access;
  private final DatasetTransfers transfers;
  private final ServiceDeployments deployments;
  private final ServiceRequests requests;
  private final EnvironmentCreation creation;
  private final RuntimeChecks checks;
  private final AppLimits limits;
  private final JsonYaml codec;
  private final AuditLog audit;
  private final Executor blocking;
  private final Counter pushes;

  public AppRoutes(ActorSystem<?> system, DatasetRoutes datasets, ServiceRoutes services, EnvironmentCreation creation,
      RuntimeChecks checks, AppLimits limits, JsonYaml codec, AuditLog audit) {
    this.system = system;
    this.access = datasets.access();
    this.transfers = datasets.transfers();
    this.deployments = services.deployments();
    this.requests = services.requests();
    this.creation = creation;
    this.checks = checks;
    this.limits = limits;
    this.codec = codec;
    this.audit = audit;
    this.blocking = system.dispatchers().lookup(DispatcherSelector.blocking());
    this.pushes = Counter.builder("dcloud.apps.pushes").description("App versions pushed through this gateway")
        .register(Metrics.globalRegistry);
  }

  public Route route() {
    return pathPrefix(ApiPaths.APPS, () -> CallerAttribute.of(caller -> concat(
        pathEnd(() -> concat(
            post(() -> push(caller)),
            get(() -> completeWithFuture(list(caller))))),
        path(name -> get(() -> completeWithFuture(app(name, caller)))))));
  }

  private Route push(Caller caller) {
    // The request lasts as long as a transfer may, and may be as large as the archive allows.
    return withSizeLimit(limits.maxSize() + limits.maxDocumentSize() + FRAMING, () -> withRequestTimeout(
        scala.concurrent.duration.Duration.fromNanos(limits.transferTimeout().toNanos()),
        () -> extractRequestEntity(entity -> {
          if (!caller.hasAny(PUSHERS)) {
            audit.record(caller, PUSH_ACTION, "apps", "forbidden");
            // Unread, the body would hold the connection until it timed out.
            entity.getDataBytes().runWith(Sink.ignore(), system);
            throw Problem.of(Problem.Type.FORBIDDEN, "only app developers and admins may push apps").exception();
          }
          return entity(Unmarshaller.entityToMultipartFormData(), form -> completeWithFuture(upload(caller, form)));
        })));
  }

  private CompletionStage<HttpResponse> upload(Caller caller, Multipart.FormData form) {
    return AppParts.read(form, limits, system)
        .exceptionally(failure -> {
          if (UploadParts.causedBy(failure, EntityStreamSizeException.class)) {
            audit.record(caller, PUSH_ACTION, "apps", "too large");
            throw Problem.of(Problem.Type.BODY_TOO_LARGE, "the app's source is larger than " + limits.maxSize()
                + " bytes", AppParts.SOURCE, "must be at most " + limits.maxSize() + " bytes (dcloud.apps.max-size)")
                .exception();
          }
          throw failure instanceof RuntimeException runtime ? runtime : new IllegalStateException(failure);
        })
        // From a completed stage, so that a check that throws still reaches the discard.
        .thenCompose(parts -> CompletableFuture.completedFuture(parts).thenCompose(this::checked)
            .thenCompose(config -> pushed(caller, parts, config))
            .whenComplete((pushed, failure) -> parts.discard()));
  }

  /** The config, once every part and field is fine; else one 422 naming them all. */
  private CompletionStage<AppConfig> checked(AppParts parts) {
    List<FieldError> errors = new ArrayList<>(parts.errors());
    AppConfig config = null;
    if (parts.config() != null) {
      try {
        config = AppConfigParser.parse(UploadParts.config(codec, parts.config(), parts.configType()), limits);
      } catch (ValidationException invalid) {
        errors.addAll(invalid.errors());
      }
    }
    if (!errors.isEmpty()) {
      throw new ValidationException(List.copyOf(errors));
    }
    AppConfig valid = config;
    return checks.check(valid.name(), AppServiceBody.environment(valid, 1)).thenApply(fine -> valid);
  }

  /** Nothing is stored for a name that is someone else's (its dataset or its service) or a model's. */
  private CompletionStage<HttpResponse> pushed(Caller caller, AppParts parts, AppConfig config) {
    String id = AppServiceBody.datasetId(config.name());
    return deployments.deployable(config.name(), ServiceDefinition.Kind.APP, caller)
        .thenCompose(exists -> access.<DatasetState>ask(id, DatasetEntity.Get::new))
        .thenCompose(state -> {
          if (state.owner() != null && !caller.mayAccess(state.owner())) {
            audit.record(caller, PUSH_ACTION, id, "name taken");
            throw Problem.conflict("the app name " + config.name() + " is taken: choose another name").exception();
          }
          return stored(caller, id, parts, config);
        })
        .thenCompose(version -> deployed(caller, id, config, version));
  }

  private CompletionStage<DatasetVersion> stored(Caller caller, String id, AppParts parts, AppConfig config) {
    Path tar = UploadParts.spoolFile(limits.spoolDirectory(), "dcloud-apps-tar-");
    byte[] document = codec.toJson(config.document());
    return CompletableFuture.supplyAsync(
            () -> AppArchive.rewrite(parts.source(), document, tar, limits.maxExpandedSize()), blocking)
        .thenCompose(rewritten -> {
          log.debug("App {}: {} files, {} bytes unpacked", config.name(), rewritten.files(), rewritten.bytes());
          return transfers.stored(id, caller, DatasetVersion.TAR, FileIO.fromPath(tar));
        })
        .whenComplete((version, failure) -> {
          UploadParts.discard(tar);
          if (failure != null) {
            audit.record(caller, PUSH_ACTION, id, "refused: " + cause(failure).getMessage());
          }
        });
  }

  private CompletionStage<HttpResponse> deployed(Caller caller, String id, AppConfig config, DatasetVersion version) {
    ServiceDefinition parsed = requests.parse(AppServiceBody.of(config, version.version()), creation::parse);
    return deployments.createOrUpdate(parsed, caller, config.replicas() == null)
        .whenComplete((deployed, failure) -> {
          if (failure != null) {
            audit.record(caller, PUSH_ACTION, id, "version " + version.version() + " stored; service "
                + config.name() + " not changed: " + cause(failure).getMessage());
          }
        })
        .thenApply(deployed -> {
          pushes.increment();
          audit.record(caller, PUSH_ACTION, id, "version " + version.version() + " of " + version.size()
              + " bytes, sha256 " + version.sha256() + "; service " + config.name()
              + (deployed.created() ? " created" : " updated to version " + deployed.view().version()));
          log.info("App {}: {} pushed source version {} ({} bytes); service {}", config.name(), caller.username(),
              version.version(), version.size(), deployed.created() ? "created" : "updated");
          HttpResponse response = codec.jsonResponse(deployed.created() ? StatusCodes.CREATED : StatusCodes.OK,
              new AppJson.Pushed(config.name(), version.version(), ServiceJson.of(deployed.view())));
          return response.addHeader(Location.create(ApiPaths.ROOT + "/" + ApiPaths.APPS + "/" + config.name()));
        });
  }

  private CompletionStage<HttpResponse> list(Caller caller) {
    String prefix = AppServiceBody.CATEGORY + "/";
    return access.backends().listing().list(prefix).thenApply(states -> codec.jsonResponse(StatusCodes.OK,
        new AppJson.Listing(states.stream()
            .filter(state -> state.exists() && DatasetAccess.mayRead(state, caller))
            .filter(state -> state.id().endsWith("/" + AppArchive.SOURCE))
            .map(state -> ModelJson.Entry.of(name(state.id()), state))
            .toList())));
  }

  private CompletionStage<HttpResponse> app(String name, Caller caller) {
    if (!ConfigFields.NAME.matcher(name).matches()) {
      throw Problem.notFound("app " + name).exception();
    }
    return access.readable(AppServiceBody.datasetId(name), caller)
        .thenCompose(state -> BundleConfig.latest(state, AppArchive.CONFIG, access.backends().blobs(), codec, system)
            .thenApply(config -> codec.jsonResponse(StatusCodes.OK, new AppJson.App(name, state.owner(),
                state.versions().stream().map(ModelJson.Version::of).toList(), config))));
  }

  private static Throwable cause(Throwable failure) {
    return failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
  }

  /** {@code apps/<name>/source} → {@code <name>}. */
  private static String name(String datasetId) {
    return datasetId.substring(AppServiceBody.CATEGORY.length() + 1, datasetId.lastIndexOf('/'));
  }
}
