package io.dcloud.gateway.environment;

import com.fasterxml.jackson.databind.JsonNode;
import io.dcloud.catalog.DockerfileGenerator;
import io.dcloud.contracts.ImageRecipe;
import io.dcloud.environment.EnvironmentEntity;
import io.dcloud.environment.EnvironmentSpecParser;
import io.dcloud.environment.EnvironmentView;
import io.dcloud.environment.SpecLimits;
import io.dcloud.gateway.common.ApiPaths;
import io.dcloud.gateway.common.AuditLog;
import io.dcloud.gateway.common.ClusterAsks;
import io.dcloud.gateway.common.CreateAdmission;
import io.dcloud.gateway.common.GatewaySettings;
import io.dcloud.gateway.common.JsonYaml;
import io.dcloud.gateway.common.Problem;
import io.dcloud.gateway.common.ProblemException;
import io.dcloud.gateway.common.ProblemExceptions;
import io.dcloud.gateway.common.ProxySettings;
import io.dcloud.gateway.dataset.DatasetAccess;
import io.dcloud.gateway.dataset.DatasetChecks;
import io.dcloud.gateway.identity.Quotas;
import io.dcloud.identity.Caller;
import io.dcloud.identity.Quota;
import io.dcloud.resources.Quantities;
import io.dcloud.resources.Resources;
import io.dcloud.scheduler.PlacementRequest;
import io.dcloud.scheduler.Scheduler;
import io.dcloud.secret.SecretBox;
import io.dcloud.spec.EnvironmentSpec;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Metrics;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.headers.Location;
import org.apache.pekko.http.javadsl.model.headers.RetryAfter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns an environment config in contract form into a new environment: validate it, check it
 * against the catalog and generate its Dockerfile, then create its entity under a fresh id. Shared
 * by {@code POST /environments} and template instantiation, so both refuse exactly the same inputs
 * and nothing is created unless every check passed.
 */
public final class EnvironmentCreation {
  private static final Logger log = LoggerFactory.getLogger(EnvironmentCreation.class);

  private final ClusterAsks asks;
  private final Quotas quotas;
  /** Records refused creates (a created one is recorded by its event). */
  private final AuditLog audit;
  private final JsonYaml codec;
  private final Resources defaults;
  private final SpecLimits limits;
  private final SecretBox secrets;
  private final ProxySettings proxy;
  private final DatasetChecks datasets;
  private final KeptVolumes keptVolumes;
  private final Duration retryAfter;
  /** How long before the ask gives up a create must reach its entity (dcloud.http.create-answer-margin). */
  private final Duration answerMargin;
  /** Creates admitted and not yet placed, and how many may be (see {@code dcloud.http.max-creates-in-flight}). */
  private final CreatesInFlight creates;
  /** When creates start and stop being refused, at most one line per period. */
  private final SheddingReport shedding;

  public EnvironmentCreation(ClusterAsks asks, JsonYaml codec, GatewaySettings settings, Quotas quotas, AuditLog audit) {
    this.quotas = quotas;
    this.audit = audit;
    this.asks = asks;
    this.codec = codec;
    this.defaults = settings.defaultResources();
    this.limits = settings.specLimits();
    this.secrets = settings.secrets();
    this.proxy = settings.proxy();
    this.datasets = new DatasetChecks(new DatasetAccess(asks.system(), asks.datasets(), settings.askTimeout()));
    this.keptVolumes = new KeptVolumes(asks);
    // A create the scheduler has not answered within the ask timeout after it was sent counts as slow.
    this.creates = new CreatesInFlight(
        asks.system(), asks.updates(), new CreateAdmission(settings.createAdmission()), settings.askTimeout());
    this.retryAfter = settings.createRetryAfter();
    this.answerMargin = settings.createAnswerMargin();
    this.shedding = new SheddingReport(settings.sheddingReportInterval(), System::nanoTime);
    Gauge.builder("dcloud.http.creates.limit", creates, CreatesInFlight::currentLimit)
        .description("Creates this gateway admits at once now (it follows how fast they are placed)")
        .register(Metrics.globalRegistry);
    Gauge.builder("dcloud.http.creates.in.flight", creates, CreatesInFlight::inFlight)
        .description("Creates this gateway has admitted and the scheduler has not yet answered")
        .register(Metrics.globalRegistry);
  }

  /**
   * Whether this gateway is refusing creates: it refused one less than the Retry-After it gave ago.
   * Then the cluster is saturated, and reads do not wait as long for an entity (see
   * {@link io.dcloud.gateway.common.ReadAskTimeouts}).
   */
  boolean shedding() {
    return creates.refusedWithin(retryAfter);
  }

  /** Seals secret-env values; null when no secrets key is configured. */
  public SecretBox secrets() {
    return secrets;
  }

  /**
   * A client that may retry a create (after a timeout, say) sends this header: the same key always
   * names the same environment, so a retried create answers with it instead of making another.
   */
  public static final String IDEMPOTENCY_KEY = "Idempotency-Key";

  /**
   * 202 with the environment and its Location; a failed stage carries the 4xx problem (429 with
   * Retry-After when too many creates are in progress). {@code idempotencyKey} (nullable) makes the
   * environment id a function of the key.
   */
  public CompletionStage<HttpResponse> create(JsonNode contract, String idempotencyKey, String origin, Caller caller) {
    return created(contract, idempotencyKey, origin, caller)
        .thenApply(view -> codec.jsonResponse(StatusCodes.ACCEPTED, EnvironmentJson.of(view, codec.mapper(), proxy))
            .addHeader(Location.create(ApiPaths.environment(view.id()))))
        .exceptionallyCompose(failure -> {
          Throwable cause = ProblemExceptions.unwrap(failure);
          if (cause instanceof ProblemException refused && refused.problem().type().equals(Problem.Type.TOO_MANY_CREATES.uri())) {
            return CompletableFuture.completedFuture(
                refused.problem().toResponse().addHeader(RetryAfter.create(Math.max(1, retryAfter.toSeconds()))));
          }
          return CompletableFuture.failedStage(failure);
        });
  }

  /**
   * The new environment's view, for whichever front end asked ({@code origin} says which, for the
   * log); a failed stage carries the problem (a {@link ProblemException} or a validation failure).
   */
  CompletionStage<EnvironmentView> created(JsonNode contract, String idempotencyKey, String origin, Caller caller) {
    return audit.refusals(caller, "environment.create", contract.path("env-name").asText(""),
        admitted(contract, idempotencyKey, origin, caller));
  }

  private CompletionStage<EnvironmentView> admitted(JsonNode contract, String idempotencyKey, String origin, Caller caller) {
    EnvironmentSpec spec;
    try {
      spec = parse(contract);
    } catch (RuntimeException invalid) {
      return CompletableFuture.failedFuture(invalid);
    }
    CreatesInFlight.Slot slot = creates.tryAdmit();
    if (slot == null) {
      return CompletableFuture.failedFuture(tooManyCreates().exception());
    }
    log(shedding.admitted(creates.inFlight(), creates.currentLimit()));
    return checkedAndCreated(spec, idempotencyKey, origin, caller, slot)
        .whenComplete((view, failure) -> {
          if (failure != null) {
            slot.failed();
          } else {
            slot.accepted(view.status());
          }
        });
  }

  /** The contract as every create reads it (this gateway's defaults, limits and secrets key); throws the 422. */
  public EnvironmentSpec parse(JsonNode contract) {
    return EnvironmentSpecParser.parse(contract, defaults, limits, secrets);
  }

  /** What the scheduler is asked to find room for, before the environment has an id. */
  public static PlacementRequest placementRequest(EnvironmentSpec spec) {
    return new PlacementRequest("new", spec.resources(), spec.constraints(), spec.keptVolumesNode());
  }

  /** Nothing when some node of the cluster could hold it; else the 422 naming {@code field} (the resources). */
  public static void requirePlaceable(Scheduler.Feasibility feasibility, String field) {
    if (!feasibility.feasible()) {
      throw Problem.of(Problem.Type.UNSCHEDULABLE, feasibility.reason(), field, feasibility.reason()).exception();
    }
  }

  /**
   * {@code spec} with the node and size of each kept volume it mounts, once each is the caller's to
   * mount; a failed stage carries the 422 (see {@link KeptVolumes}).
   */
  public CompletionStage<EnvironmentSpec> withKeptVolumesFound(EnvironmentSpec spec, Caller caller) {
    return keptVolumes.found(spec, caller, null);
  }

  /**
   * The image DCloud would build for {@code spec}, once its datasets are readable by the caller and
   * its packages are in the catalog; a failed stage carries the 4xx problem.
   */
  public CompletionStage<ImageRecipe> recipe(EnvironmentSpec spec, Caller caller) {
    return datasets.check(spec.datasets(), caller)
        .thenCompose(readable -> asks.catalog())
        .thenApply(catalog -> DockerfileGenerator.generate(catalog, spec));
  }

  private Problem tooManyCreates() {
    int limit = creates.currentLimit();
    log(shedding.refused(limit));
    long seconds = Math.max(1, retryAfter.toSeconds());
    return Problem.of(
        Problem.Type.TOO_MANY_CREATES,
        limit + " creates are in progress on this gateway, the most it admits now; retry in " + seconds + "s");
  }

  /** A request as it passed the checks: kept volumes found, the image it builds. */
  private record Checked(EnvironmentSpec spec, ImageRecipe recipe) {}

  private CompletionStage<EnvironmentView> checkedAndCreated(
      EnvironmentSpec spec, String idempotencyKey, String origin, Caller caller, CreatesInFlight.Slot slot) {
    // The scheduler and the user registry (singletons, often on other nodes) are asked while the
    // datasets and the catalog are checked, not one after the other; the answers are still judged
    // in that order (a bad catalog entry is the 422 even when the quota could not be read).
    CompletionStage<Scheduler.Feasibility> placeable = asks.feasibility(placementRequest(spec));
    CompletionStage<Quota> quota = quotas.of(caller);
    String id = environmentId(idempotencyKey, caller.username());
    return keptVolumes.found(spec, caller, id)
        .thenCompose(found -> recipe(found, caller).thenApply(recipe -> new Checked(found, recipe)))
        .thenCompose(checked -> placeable
            .thenCompose(feasibility -> {
              requirePlaceable(feasibility, "resources");
              // Its kept volumes promised to it, then admitted last: a request refused for any other
              // reason holds nothing of the quota.
              return keptVolumes.claim(checked.spec(), id)
                  .thenCompose(claimed -> quotas.admit(caller, quota, id, spec.resources(), true))
                  .thenCompose(admitted -> {
                    slot.sending(id);
                    return createEntity(id, idempotencyKey == null, checked.spec(), checked.recipe(), origin, caller);
                  })
                  .whenComplete((view, failure) -> {
                    if (failure == null) {
                      keptVolumes.created(checked.spec());
                    } else {
                      keptVolumes.release(checked.spec(), id);
                    }
                  });
            }));
  }

  private static void log(SheddingReport.Line line) {
    if (line == null) {
      return;
    }
    if (line.warn()) {
      log.warn(line.text());
    } else {
      log.info(line.text());
    }
  }

  /** A key names one environment per user: another user's same key is another environment. */
  private static String environmentId(String idempotencyKey, String owner) {
    return idempotencyKey == null
        ? UUID.randomUUID().toString()
        : UUID.nameUUIDFromBytes(("dcloud-create:" + owner + ":" + idempotencyKey).getBytes(StandardCharsets.UTF_8))
            .toString();
  }

  /** {@code newId}: {@code id} is a random UUID made up for this create (no Idempotency-Key). */
  private CompletionStage<EnvironmentView> createEntity(
      String id, boolean newId, EnvironmentSpec spec, ImageRecipe recipe, String origin, Caller caller) {
    String owner = caller.username();
    // The entity refuses the create if it arrives after this ask gives up, less the time to write and
    // answer it: the caller hears 503 and no environment appears later behind their back.
    Instant notAfter = Instant.now().plus(asks.timeout()).minus(answerMargin);
    return asks.<EnvironmentEntity.Reply>environment(id, replyTo -> new EnvironmentEntity.Create(spec, recipe, replyTo, owner, notAfter, newId,
        caller.address()))
        .exceptionally(failure -> {
          if (ProblemExceptions.timedOut(failure)) {
            throw Problem.of(Problem.Type.CLUSTER_UNAVAILABLE, "environment " + id + " did not answer within "
                + GatewaySettings.describe(asks.timeout()) + "; it is created only if the create reached it in that time: "
                + "send the create again with the same " + IDEMPOTENCY_KEY + " header to get that one environment either way")
                .exception();
          }
          throw failure instanceof CompletionException completion ? completion : new CompletionException(failure);
        })
        .thenApply(reply -> {
          if (reply instanceof EnvironmentEntity.Ok ok) {
            log.info(
                "Environment {} ({}) requested {} by {}: os {}, {} and {} RAM, image {}", id, spec.name(), origin, owner, spec.os(),
                Quantities.describeCores(spec.resources().milliCpus()),
                Quantities.describeBytes(spec.resources().memoryBytes()), recipe.tag());
            return ok.view();
          }
          throw EnvironmentReplies.problemFor(id, reply).exception();
        });
  }
}
