package io.dcloud.gateway.service;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dcloud.ask.Asks;
import io.dcloud.gateway.common.AuditLog;
import io.dcloud.gateway.common.CallerAttribute;
import io.dcloud.gateway.common.ClusterAsks;
import io.dcloud.http.ContentTypeTexts;
import io.dcloud.gateway.common.GatewaySettings;
import io.dcloud.gateway.common.JsonYaml;
import io.dcloud.gateway.common.Problem;
import io.dcloud.gateway.common.RequestBodies;
import io.dcloud.gateway.common.ServiceBackends;
import io.dcloud.gateway.environment.EnvironmentProxy;
import io.dcloud.gateway.environment.ProxyHeaders;
import io.dcloud.gateway.identity.GatewayIdentity;
import io.dcloud.identity.Caller;
import io.dcloud.node.LocalNode;
import io.dcloud.node.NodeReachability;
import io.dcloud.node.ProxyWire;
import io.dcloud.service.ServiceDefinition;
import io.dcloud.service.ServiceEntity;
import io.dcloud.service.ServiceView;
import io.dcloud.validation.ValidationException;
import io.micrometer.core.instrument.Metrics;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongSupplier;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.PathMatchers;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.util.ByteString;

/**
 * Calling a service (the data plane): {@code POST /services/{name}/predict} (models, dynamically
 * batched when the service says so), {@code /services/{name}/call/{path}} (any method, to the
 * replica's {@code /{path}}) and {@code GET /services/{name}/stats}. Callers are the owner, admins and
 * end users; anyone else gets the 404 of a missing service (and is audited: calls themselves are
 * not, there are too many). The view of the service comes from this gateway's cache, so a call asks
 * the cluster at most for the replica's answer (not even that when this gateway may call the replica
 * directly: {@link DirectRoute}).
 */
public final class ServiceCallRoutes extends AllDirectives {
  public static final String PREDICT = "predict";
  public static final String CALL = "call";
  static final String STATS = "stats";
  private static final Set<String> IDEMPOTENT = Set.of("GET", "HEAD", "PUT", "DELETE", "OPTIONS");
  private static final String IDEMPOTENCY_KEY = "idempotency-key";
  private static final String JSON = "application/json";
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private final ServiceDirectory directory;
  private final ReplicaBalancer balancer;
  private final PredictBatcher batcher;
  private final ServiceCallStats stats;
  private final ReplicaCalls replicas;
  private final ProxyHeaders headers;
  private final RequestBodies bodies;
  private final JsonYaml codec;
  private final AuditLog audit;
  private final Materializer materializer;
  private final ServiceCallSettings settings;
  private final ColdStart coldStart;
  private final StreamedAnswers streamed;
  private final LongSupplier nanoTime = System::nanoTime;

  ServiceCallRoutes(
      ServiceCallSettings settings, ServiceDirectory directory, ReplicaBalancer balancer, PredictBatcher batcher,
      ServiceCallStats stats, ReplicaCalls replicas, ProxyHeaders headers, RequestBodies bodies, JsonYaml codec,
      AuditLog audit, Materializer materializer, ColdStart coldStart, StreamedAnswers streamed) {
    this.settings = settings;
    this.coldStart = coldStart;
    this.streamed = streamed;
    this.directory = directory;
    this.balancer = balancer;
    this.batcher = batcher;
    this.stats = stats;
    this.replicas = replicas;
    this.headers = headers;
    this.bodies = bodies;
    this.codec = codec;
    this.audit = audit;
    this.materializer = materializer;
  }

  /** The calling path of one gateway, its caches and counters its own. */
  public static ServiceCallRoutes create(
      ActorSystem<?> system, ClusterAsks asks, ServiceBackends services, GatewaySettings gateway, GatewayIdentity identity,
      RequestBodies bodies, JsonYaml codec) {
    ServiceCallSettings settings = ServiceCallSettings.fromConfig(system.settings().config());
    ServiceCallStats stats = new ServiceCallStats(Metrics.globalRegistry, System::currentTimeMillis);
    DirectRouteSettings direct = DirectRouteSettings.fromConfig(system.settings().config());
    DirectRoute route = new DirectRoute(direct, LocalNode.id(system.settings().config()), System::nanoTime);
    AtomicReference<ServiceDirectory> directory = new AtomicReference<>();
    ReplicaBalancer balancer = new ReplicaBalancer(settings, new ReplicaBalancer.Listener() {
      @Override
      public void attempted(String service, ServiceView.Replica replica, String outcome, long nanos) {
        stats.attempted(service, replica, outcome, nanos);
      }

      @Override
      public void failed(String service) {
        directory.get().refresh(service);
      }
    }, System::nanoTime, NodeReachability.get(system));
    directory.set(new ServiceDirectory(name -> Asks.completedOn(
            services.services().apply(name).ask(ServiceEntity.Get::new, gateway.askTimeout()), system.executionContext()),
        settings, System::nanoTime, gone -> {
          balancer.forget(gone);
          route.forget(gone);
        }));
    LoadReports loads = new LoadReports(balancer, directory.get()::cached,
        (name, report) -> services.services().apply(name).tell(report));
    Duration reportEvery = system.settings().config().getDuration(ServiceCallSettings.PATH + ".load-report-interval");
    system.scheduler().scheduleAtFixedRate(reportEvery, reportEvery, loads::report, system.executionContext());
    PreciseTimer batchWaits = new PreciseTimer("dcloud-predict-batching", system.executionContext());
    system.getWhenTerminated().whenComplete((done, failure) -> batchWaits.close());
    PredictBatcher batcher = new PredictBatcher(batchWaits);
    Materializer materializer = Materializer.matFromSystem(system);
    String scheme = URI.create(gateway.proxy().publicUrl()).getScheme();
    ProxyHeaders headers = new ProxyHeaders(identity.settings().sessionCookie(), identity.settings().csrfHeader(), null,
        scheme == null ? "http" : scheme);
    ReplicaCalls replicas = new ReplicaCalls(asks, materializer, route,
        new DirectCalls(system, materializer, direct.maxConnections(), settings.maxQueue()));
    // A call waiting for a service's first replica leaves itself at least one attempt's time.
    ColdStart coldStart = new ColdStart(directory.get()::fresh, loads::report,
        system.settings().config().getDuration(ServiceCallSettings.PATH + ".cold-start-poll-interval"),
        settings.requestTimeout().minus(settings.attemptTimeout()), System::nanoTime);
    return new ServiceCallRoutes(settings, directory.get(), balancer, batcher, stats, replicas, headers, bodies, codec,
        identity.audit(), materializer, coldStart, StreamedAnswers.fromConfig(system.settings().config()));
  }

  public Route route() {
    return pathPrefix(ServiceRoutes.SERVICES, () -> CallerAttribute.of(caller -> pathPrefix(PathMatchers.segment(), name -> concat(
        path(PREDICT, () -> post(() -> bodies.document(body -> completeWithFuture(predict(name, body, caller))))),
        pathPrefix(CALL, () -> extractRequest(request -> extractUnmatchedPath(rest ->
            // pathPrefix matches a prefix of the segment too: /callx is no call.
            rest.isEmpty() || rest.startsWith("/") ? completeWithFuture(call(name, rest, request, caller)) : reject()))),
        path(STATS, () -> get(() -> completeWithFuture(stats(name, caller))))))));
  }

  private CompletionStage<HttpResponse> predict(String name, JsonNode body, Caller caller) {
    List<JsonNode> instances = instances(body);
    return callable(name, caller).thenCompose(view -> {
      if (view.kind() != ServiceDefinition.Kind.MODEL) {
        throw Problem.conflict("service " + name + " is an app, not a model: call it through /services/" + name
            + "/call/").exception();
      }
      long since = nanoTime.getAsLong();
      return measured(name, () -> coldStart.ready(name, view).thenCompose(serving -> {
        PredictBatcher.Predict send = some -> FreshViewRetry.call(serving, () -> directory.fresh(name), replicasNow ->
                balancer.call(name, replicasNow, true, (replica, timeout) ->
                    replicas.send(replica, serving.port(), predictRequest(some), timeout), since))
            .thenCompose(answer -> replicas.whole(answer.value()));
        return batcher.predict(name, serving.batching(), ServiceDirectory.ready(serving).size(), instances, send);
      }).thenApply(reply -> HttpResponse.create()
          .withStatus(StatusCodes.get(reply.status()))
          .withEntity(HttpEntities.create(contentType(reply.contentType()), reply.body()))));
    });
  }

  private CompletionStage<HttpResponse> call(String name, String rest, HttpRequest request, Caller caller) {
    return callable(name, caller).thenCompose(view -> Asks.completedInline(request.entity()
            .toStrict(settings.requestTimeout().toMillis(), materializer))
        .thenCompose(strict -> {
          String target = (rest.isEmpty() ? "/" : rest)
              + request.getUri().rawQueryString().map(query -> "?" + query).orElse("");
          String contentType = strict.getData().isEmpty() ? null : strict.getContentType().toString();
          ReplicaCalls.Request forwarded = new ReplicaCalls.Request(request.method().value(), target,
              headers.forwarded(request, caller, null, false), contentType, strict.getData());
          boolean idempotent = IDEMPOTENT.contains(request.method().value())
              || request.getHeader(IDEMPOTENCY_KEY).isPresent();
          ReplicaBalancer.Send<ProxyWire.Response> send = (replica, timeout) -> replicas.send(replica, view.port(), forwarded, timeout);
          long since = nanoTime.getAsLong();
          return measured(name, () -> coldStart.ready(name, view).thenCompose(serving -> idempotent
                  ? FreshViewRetry.call(serving, () -> directory.fresh(name), ready -> balancer.call(name, ready, true, send, since))
                  : balancer.call(name, ServiceDirectory.ready(serving), false, send, since))
              .thenApply(answer -> answered(name, answer)));
        }));
  }

  /** A replica's answer; one whose body streams counts as in progress until it has been sent (see {@link StreamedAnswers}). */
  private HttpResponse answered(String name, ReplicaBalancer.Answer<ProxyWire.Response> answer) {
    HttpResponse response = EnvironmentProxy.response(answer.value());
    return answer.value().bodyStream() == null
        ? response
        : streamed.heldUntilSent(response, balancer.streaming(name, answer.replica()));
  }

  private CompletionStage<HttpResponse> stats(String name, Caller caller) {
    return view(name).thenApply(view -> {
      if (!caller.mayAccess(view.owner())) {
        throw Problem.notFound("service " + name).exception();
      }
      return codec.jsonResponse(StatusCodes.OK, stats.of(view));
    });
  }

  /**
   * One call, counted against the service's queue (429 beyond it) and measured; the gateway's own
   * refusals become their problem+json (with a Retry-After when coming back later may help).
   */
  private CompletionStage<HttpResponse> measured(String name, java.util.function.Supplier<CompletionStage<HttpResponse>> call) {
    long started = nanoTime.getAsLong();
    return balancer.admitted(name, call).handle((response, failure) -> {
      Throwable cause = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
      if (cause instanceof CallRefused refused) {
        stats.called(name, slug(refused.problem()), nanoTime.getAsLong() - started);
        return refused.toResponse();
      } else if (cause != null) {
        throw cause instanceof RuntimeException runtime ? runtime : new CompletionException(cause);
      }
      stats.called(name, response.status().intValue() < 400 ? ReplicaBalancer.OK : ReplicaBalancer.ERROR,
          nanoTime.getAsLong() - started);
      return response;
    });
  }

  /** The service, when the caller may call it: its owner, an admin, an end user. Anyone else: 404, audited. */
  private CompletionStage<ServiceView> callable(String name, Caller caller) {
    return view(name).thenApply(view -> {
      if (!ServiceRoutes.readable(view, caller)) {
        audit.record(caller, "service.call", name, "denied");
        throw Problem.notFound("service " + name).exception();
      }
      return view;
    });
  }

  private CompletionStage<ServiceView> view(String name) {
    if (!ServiceRequests.isValidName(name)) {
      return CompletableFuture.failedFuture(Problem.notFound("service " + name).exception());
    }
    return directory.view(name).thenApply(view ->
        view.orElseThrow(() -> Problem.notFound("service " + name).exception()));
  }

  /** The instances of a predict's body: a non-empty array. */
  static List<JsonNode> instances(JsonNode body) {
    JsonNode instances = body.get(PredictBatcher.INSTANCES);
    if (instances == null || !instances.isArray() || instances.isEmpty()) {
      throw ValidationException.of(PredictBatcher.INSTANCES, "must be a non-empty array of the model's inputs");
    }
    List<JsonNode> all = new ArrayList<>(instances.size());
    instances.forEach(all::add);
    return all;
  }

  private static ReplicaCalls.Request predictRequest(List<JsonNode> instances) {
    ObjectNode body = JsonNodeFactory.instance.objectNode();
    body.putArray(PredictBatcher.INSTANCES).addAll(instances);
    try {
      return new ReplicaCalls.Request("POST", "/" + PREDICT, List.<ProxyWire.Header>of(), JSON,
          ByteString.fromArray(MAPPER.writeValueAsBytes(body)));
    } catch (java.io.IOException unreachable) {
      throw new IllegalStateException("a tree of JSON always serializes", unreachable);
    }
  }

  /** The problem's slug (urn:dcloud:problem:service-busy → service-busy), a meter's outcome. */
  private static String slug(Problem problem) {
    return problem.type().substring(problem.type().lastIndexOf(':') + 1).toLowerCase(Locale.ROOT);
  }

  private static org.apache.pekko.http.javadsl.model.ContentType contentType(String text) {
    return text == null ? ContentTypes.APPLICATION_JSON : ContentTypeTexts.parse(text);
  }
}
