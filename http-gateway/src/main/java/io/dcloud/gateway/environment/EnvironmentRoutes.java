package io.dcloud.gateway.environment;

import com.fasterxml.jackson.databind.JsonNode;
import io.dcloud.environment.EnvironmentDirectory;
import io.dcloud.environment.EnvironmentEntity;
import io.dcloud.environment.EnvironmentResize;
import io.dcloud.environment.EnvironmentStatus;
import io.dcloud.environment.EnvironmentView;
import io.dcloud.environment.KubernetesManifest;
import io.dcloud.environment.OwnerUsage;
import io.dcloud.gateway.common.ApiPaths;
import io.dcloud.gateway.common.AuditLog;
import io.dcloud.gateway.common.CallerAttribute;
import io.dcloud.gateway.common.ClusterAsks;
import io.dcloud.gateway.common.GatewaySettings;
import io.dcloud.gateway.common.IdPrefixes;
import io.dcloud.gateway.common.JsonYaml;
import io.dcloud.gateway.common.Problem;
import io.dcloud.gateway.common.ProblemExceptions;
import io.dcloud.gateway.common.ProxySettings;
import io.dcloud.gateway.common.ReadAskTimeouts;
import io.dcloud.gateway.common.RequestBodies;
import io.dcloud.gateway.identity.Authentication;
import io.dcloud.gateway.identity.Quotas;
import io.dcloud.identity.Caller;
import io.dcloud.resources.Resources;
import io.dcloud.secret.SecretBox;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Metrics;
import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Directives;
import org.apache.pekko.http.javadsl.server.PathMatchers;
import org.apache.pekko.http.javadsl.server.Route;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code /environments}: create, list, show, stop, start, delete, the generated Dockerfile and
 * Kubernetes manifest, and sharing ({@link EnvironmentSharing}). The live feeds (events, logs, stats) are in {@link EnvironmentStreamRoutes}.
 */
public final class EnvironmentRoutes extends AllDirectives {
  private static final Logger log = LoggerFactory.getLogger(EnvironmentRoutes.class);

  /** The only manifest format so far; the parameter is required so others can be added later. */
  static final String KUBERNETES_FORMAT = "kubernetes";

  private final ClusterAsks asks;
  private final JsonYaml codec;
  private final RequestBodies bodies;
  private final EnvironmentCreation creation;
  /** Records refused changes (a change made is recorded by its event). */
  private final AuditLog audit;
  private final EnvironmentStreamRoutes streams;
  private final ReadAskTimeouts readAsks;
  private final Quotas quotas;
  /** Opens secret-env values for their owner; null when this gateway has no secrets key. */
  private final SecretBox secretBox;
  private final EnvironmentSharing sharing;
  private final EnvironmentExec exec;
  private final EnvironmentShell shell;
  private final EnvironmentFiles files;
  /** Makes each environment's {@code url}. */
  private final ProxySettings proxy;
  private final BuildProgress progress;
  private final EnvironmentDryRun dryRun;
  private final Counter staleReads = Counter.builder("dcloud.http.environment.reads.stale")
      .description("GET /environments/{id} answered from this gateway's read side: the entity did not answer in time")
      .register(Metrics.globalRegistry);

  public EnvironmentRoutes(
      ClusterAsks asks, JsonYaml codec, RequestBodies bodies, EnvironmentCreation creation, AuditLog audit,
      EnvironmentStreamRoutes streams, EnvironmentExec exec, ReadAskTimeouts readAsks, Quotas quotas, SecretBox secretBox,
      ProxySettings proxy, EnvironmentShell shell, EnvironmentFiles files) {
    this.exec = exec;
    this.proxy = proxy;
    this.shell = shell;
    this.files = files;
    this.progress = new BuildProgress(asks.system(), asks.updates());
    this.quotas = quotas;
    this.secretBox = secretBox;
    this.sharing = new EnvironmentSharing(asks, codec, bodies);
    this.asks = asks;
    this.codec = codec;
    this.bodies = bodies;
    this.creation = creation;
    this.audit = audit;
    this.dryRun = new EnvironmentDryRun(asks, codec, creation, quotas);
    this.streams = streams;
    this.readAsks = readAsks;
  }

  public Route route() {
    return pathPrefix(ApiPaths.ENVIRONMENTS, () -> CallerAttribute.of(caller -> concat(
        pathEndOrSingleSlash(() -> concat(
            post(() -> Authentication.requireAny(caller, Authentication.CREATORS, () ->
                parameterOptional(EnvironmentDryRun.PARAMETER, dry -> EnvironmentDryRun.requested(dry)
                    ? bodies.document(contract -> completeWithFuture(dryRun.answer(contract, caller)))
                    : optionalHeaderValueByName(EnvironmentCreation.IDEMPOTENCY_KEY, key -> bodies.document(contract ->
                        completeWithFuture(creation.create(contract, key.orElse(null), "through the API", caller))))))),
            get(() -> list(caller)))),
        pathPrefix(PathMatchers.segment(), rawId -> concat(
            pathEndOrSingleSlash(() -> concat(
                get(() -> withId(rawId, id -> show(id, caller))),
                delete(() -> withId(rawId, id -> command(id, "delete", caller,
                    replyTo -> new EnvironmentEntity.Delete(replyTo, caller.username(), caller.address())))))),
            path("stop", () -> post(() -> withId(rawId, id -> command(id, "stop", caller,
                replyTo -> EnvironmentEntity.Stop.by(replyTo, caller.username(), caller.address()))))),
            path("start", () -> post(() -> withId(rawId, id -> start(id, "start", caller,
                replyTo -> new EnvironmentEntity.Start(replyTo, caller.username(), caller.address()))))),
            path("restart", () -> post(() -> withId(rawId, id -> start(id, "restart", caller,
                replyTo -> new EnvironmentEntity.Restart(replyTo, caller.username(), caller.address()))))),
            path("resize", () -> post(() -> withId(rawId, id -> bodies.document(body ->
                completeWithFuture(resize(id, caller, body)))))),
            path("dockerfile", () -> get(() -> withId(rawId, id -> dockerfile(id, caller)))),
            path("secrets", () -> get(() -> withId(rawId, id -> secrets(id, caller)))),
            path("manifest", () -> get(() -> parameterOptional("format", format ->
                withId(rawId, id -> manifest(id, format, caller))))),
            path("sharing", () -> withId(rawId, id -> sharing.route(id, caller))),
            path("exec", () -> withId(rawId, id -> concat(exec.route(id, caller), shell.route(id, caller)))),
            path("files", () -> withId(rawId, id -> files.route(id, caller))),
            streams.route(rawId, caller))))));
  }

  /** Ids that are not UUIDs name no environment: 404 at once (see {@link EnvironmentIds}). */
  static Route withId(String rawId, Function<String, Route> inner) {
    return EnvironmentIds.canonical(rawId)
        .map(inner)
        .orElseGet(() -> Directives.complete(EnvironmentReplies.notFound(rawId).toResponse()));
  }

  /**
   * A user's own environments and those shared with their groups; an admin's list has everyone's
   * (each with its owner). Filters: status, name, the node it is placed on (what runs on a node:
   * {@code GET /nodes} counts them, this names them), the start of its id and its owner (an admin's
   * look at one user's, a deleted one's too; a user's own, without those shared with them); in pages
   * with {@code limit} ({@link ListingPages}).
   */
  private Route list(Caller caller) {
    return parameterOptional("status", status -> parameterOptional("name", name -> parameterOptional("node", node ->
        parameterOptional(IdPrefixes.PARAMETER, idPrefix -> parameterOptional("owner", owner ->
        parameterOptional("limit", limit -> parameterOptional("continue", token -> {
          EnvironmentStatus wanted = status.map(EnvironmentRoutes::parseStatus).orElse(null);
          EnvironmentDirectory.Page page = ListingPages.parse(limit, token);
          return completeWithFuture(asks.listEnvironments(wanted, name.orElse(null), node.orElse(null),
                  IdPrefixes.parse(idPrefix), caller.isAdmin() ? null : caller.username(), caller.groups(),
                  owner.filter(o -> !o.isEmpty()).orElse(null), page)
              .thenApply(listing -> codec.jsonResponse(StatusCodes.OK, new EnvironmentJson.Listing(
                  listing.environments().stream().map(view -> EnvironmentJson.of(view, codec.mapper(), proxy)).toList(),
                  ListingPages.token(listing.next())))));
        })))))));
  }

  private static EnvironmentStatus parseStatus(String text) {
    try {
      return EnvironmentStatus.valueOf(text.strip().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException unknown) {
      String valid = Arrays.stream(EnvironmentStatus.values()).map(Enum::name).collect(Collectors.joining(", "));
      throw Problem.of(
              Problem.Type.MALFORMED_REQUEST, "status " + quote(text) + " is not a status", "status",
              quote(text) + " is not a status: use one of " + valid)
          .exception();
    }
  }

  /**
   * The entity's view when it answers within {@code dcloud.http.read-ask-timeout}; else (its shard
   * moving off a lost node, say) this gateway's read side's, marked stale, so reads do not depend on
   * a live shard. Its 404 and other answers stand: only silence falls back. While this gateway
   * sheds creates the entity gets the shorter {@code read-ask-timeout-while-shedding}; an
   * environment the read side has not heard of yet (created a moment ago) then waits for its entity
   * again, the normal time, rather than being answered 503. A zero wait asks no entity while
   * shedding: the read side answers what it knows at once.
   */
  private Route show(String id, Caller caller) {
    if (!creation.shedding()) {
      return completeWithFuture(view(id, caller, readAsks.normal(), null));
    }
    return completeWithFuture(readAsks.whileShedding().isZero()
        ? staleView(id, caller, Duration.ZERO, readAsks.normal())
        : view(id, caller, readAsks.whileShedding(), readAsks.normal()));
  }

  /** The entity's view within {@code wait}; then the read side's, or the entity's again within {@code then} (nullable). */
  private CompletionStage<HttpResponse> view(String id, Caller caller, Duration wait, Duration then) {
    return asks.<EnvironmentEntity.Reply>environment(id, EnvironmentEntity.Get::new, wait)
        .thenApply(reply -> {
          EnvironmentView view = EnvironmentReplies.visibleTo(caller, id, EnvironmentReplies.viewOf(id, reply));
          return codec.jsonResponse(
              StatusCodes.OK, EnvironmentJson.of(view, codec.mapper(), proxy).withProgress(progress.of(view)));
        })
        .exceptionallyCompose(failure -> ProblemExceptions.timedOut(failure)
            ? staleView(id, caller, wait, then)
            : CompletableFuture.failedStage(failure));
  }

  private CompletionStage<HttpResponse> staleView(String id, Caller caller, Duration waited, Duration then) {
    if (asks.folded(id) instanceof EnvironmentDirectory.Known known) {
      EnvironmentReplies.visibleTo(caller, id, known.view());
      // DEBUG: every read of every environment whose shard moves would log this during a failover.
      log.debug("Environment {} {}: answered from the read side as of {}", id,
          waited.isZero() ? "not asked while shedding creates" : "did not answer within " + GatewaySettings.describe(waited),
          known.asOf());
      staleReads.increment();
      return CompletableFuture.completedFuture(codec.jsonResponse(
          StatusCodes.OK, new EnvironmentJson.Stale(EnvironmentJson.of(known.view(), codec.mapper(), proxy), known.asOf())));
    }
    if (then != null) {
      return view(id, caller, then, null);
    }
    // Not heard of yet is not proof of absence (a create a moment ago may not have reached it).
    log.warn("Environment {} did not answer within {} and the read side has not heard of it", id,
        GatewaySettings.describe(waited));
    throw Problem.of(
            Problem.Type.CLUSTER_UNAVAILABLE,
            "environment " + id + " did not answer within " + GatewaySettings.describe(waited)
                + " and this gateway has not heard of it yet; try again")
        .exception();
  }

  /**
   * Start, and restart (which starts one that is not running), are admitted against the owner's quota
   * first (a stopped environment holds no CPU, RAM or GPU, unless its restart policy is about to start
   * it: see {@link OwnerUsage#of}; a running one keeps its place through a restart); admins start
   * anyone's, counted against its owner.
   */
  private Route start(
      String id, String action, Caller caller,
      Function<ActorRef<EnvironmentEntity.Reply>, EnvironmentEntity.Command> command) {
    return completeWithFuture(audit.refusals(caller, "environment." + action, id, EnvironmentReplies.owned(asks, id, caller)
        .thenCompose(view -> view.owner() == null
            || !OwnerUsage.holdsPlace(view.status()) && view.status() != EnvironmentStatus.STOPPING && view.restartAt() == null
            ? quotas.admit(Quotas.owner(view.owner(), caller), id, view.spec().resources(), false)
            : CompletableFuture.<Void>completedFuture(null))
        .thenCompose(admitted -> send(id, action, command))));
  }

  /**
   * Other CPU, RAM or GPUs ({@link EnvironmentResize}). For a running one the owner's quota is checked
   * for what it grows by (403), then its entity has the scheduler weigh the new size on its node
   * ({@code EnvironmentEntity.Resize}): its container's limits change as it runs, or it restarts
   * when its GPUs change, or a node without room refuses (409) and nothing changes. A stopped one
   * takes the new size at its next start, checked then. A size no node of the cluster could ever
   * hold is 422 whatever its status, as it would be at its create.
   */
  private CompletionStage<HttpResponse> resize(String id, Caller caller, JsonNode body) {
    return audit.refusals(caller, "environment.resize", id, EnvironmentReplies.owned(asks, id, caller).thenCompose(view -> {
      Resources now = view.spec().resources();
      Resources next = EnvironmentResize.parse(body, now);
      Resources growth = new Resources(Math.max(0, next.milliCpus() - now.milliCpus()),
          Math.max(0, next.memoryBytes() - now.memoryBytes()), Math.max(0, next.gpus() - now.gpus()), 0, null);
      // A stopped one is weighed against the quota at its next start; a replica or one on its way is refused by its entity.
      boolean grows = view.status() == EnvironmentStatus.RUNNING && view.spec().service() == null && view.owner() != null
          && !growth.equals(Resources.NONE);
      // A size no node could ever hold is refused now, as at its create, not when it next starts.
      CompletionStage<Void> placeable = asks.feasibility(EnvironmentCreation.placementRequest(view.spec().withResources(next)))
          .thenAccept(feasibility -> EnvironmentCreation.requirePlaceable(feasibility, "resources"));
      return placeable.thenCompose(feasible -> grows
              ? quotas.admitGrowth(Quotas.owner(view.owner(), caller), growth)
              : CompletableFuture.<Void>completedFuture(null))
          .thenCompose(admitted -> send(id, "resize",
              replyTo -> new EnvironmentEntity.Resize(next, replyTo, caller.username(), caller.address())));
    }));
  }

  /** Stop and delete (see {@link EnvironmentChanges}). */
  private Route command(
      String id, String action, Caller caller,
      Function<ActorRef<EnvironmentEntity.Reply>, EnvironmentEntity.Command> command) {
    return completeWithFuture(audit.refusals(caller, "environment." + action, id,
        EnvironmentChanges.ofOwned(asks, id, action, THROUGH_THE_API, caller, command).thenApply(this::accepted)));
  }

  private CompletionStage<HttpResponse> send(
      String id, String action, Function<ActorRef<EnvironmentEntity.Reply>, EnvironmentEntity.Command> command) {
    return EnvironmentChanges.send(asks, id, action, THROUGH_THE_API, command).thenApply(this::accepted);
  }

  private static final String THROUGH_THE_API = "through the API";

  private HttpResponse accepted(EnvironmentView view) {
    return codec.jsonResponse(StatusCodes.ACCEPTED, EnvironmentJson.of(view, codec.mapper(), proxy));
  }

  /**
   * The values of the environment's secret-env (a generated notebook token, say), for its owner
   * alone: not even an admin reads another's secrets through the API.
   */
  private Route secrets(String id, Caller caller) {
    return completeWithFuture(EnvironmentReplies.view(asks, id, caller).thenApply(view -> {
      if (!caller.username().equals(view.owner())) {
        throw Problem.of(Problem.Type.FORBIDDEN, "only the owner of environment " + id + " reads its secrets").exception();
      }
      Map<String, String> sealed = view.spec().secretEnv();
      if (!sealed.isEmpty() && secretBox == null) {
        throw Problem.of(Problem.Type.CLUSTER_UNAVAILABLE,
            "this gateway has no secrets key (dcloud.secrets.key) to open them with").exception();
      }
      Map<String, String> open = new TreeMap<>();
      sealed.forEach((name, value) -> open.put(name, secretBox.open(name, value)));
      log.info("Environment {}: its owner {} read its {} secret(s)", id, caller.username(), open.size());
      return codec.jsonResponse(StatusCodes.OK, Map.of("secrets", open));
    }));
  }

  private Route dockerfile(String id, Caller caller) {
    return completeWithFuture(EnvironmentReplies.view(asks, id, caller).thenApply(view -> HttpResponse.create()
        .withStatus(StatusCodes.OK)
        .withEntity(HttpEntities.create(ContentTypes.TEXT_PLAIN_UTF8, view.image().dockerfile()))));
  }

  private Route manifest(String id, Optional<String> format, Caller caller) {
    if (format.isEmpty() || !format.get().equals(KUBERNETES_FORMAT)) {
      String given = format.map(f -> quote(f) + " is not a manifest format").orElse("is required");
      return complete(Problem.of(
              Problem.Type.MALFORMED_REQUEST, "say which manifest to export: format=" + KUBERNETES_FORMAT, "format",
              given + ": use format=" + KUBERNETES_FORMAT)
          .toResponse());
    }
    return completeWithFuture(EnvironmentReplies.view(asks, id, caller).thenApply(view -> {
      var documents = KubernetesManifest.render(view.id(), view.spec(), view.image(), codec.mapper());
      return HttpResponse.create()
          .withStatus(StatusCodes.OK)
          .withEntity(HttpEntities.create(JsonYaml.YAML_UTF8, codec.toYamlDocuments(documents)));
    }));
  }

  static String quote(String userText) {
    return "\"" + userText + "\"";
  }
}
