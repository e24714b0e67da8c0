package io.dcloud.gateway.service;

import io.dcloud.ask.Asks;
import io.dcloud.gateway.common.ContentTypeTexts;
import io.dcloud.node.ProxyPieces;
import io.dcloud.node.ProxyWire;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.model.ContentType;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpEntity;
import org.apache.pekko.http.javadsl.model.HttpHeader;
import org.apache.pekko.http.javadsl.model.HttpMethods;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.RequestEntityAcceptances;
import org.apache.pekko.http.javadsl.model.ResponseEntity;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.apache.pekko.http.javadsl.settings.ConnectionPoolSettings;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.stream.javadsl.StreamRefs;
import org.apache.pekko.util.ByteString;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One request straight to a replica's published port ({@link DirectRoute} says when), over Pekko
 * HTTP's pooled keep-alive connections, answered as the replica's node would answer it: a {@link
 * ProxyWire.Response} (a small body inline, a larger one as a stream), or {@link
 * ReplicaBalancer.Attempt.Unreachable} when nothing answered there. The pool itself never retries:
 * the balancer decides whether a call may be tried again, and on which replica.
 */
final class DirectCalls {
  private static final Logger log = LoggerFactory.getLogger(DirectCalls.class);

  private final ActorSystem<?> system;
  private final Http http;
  private final Materializer materializer;
  private final ConnectionPoolSettings pool;

  /** {@code maxOpen}: calls one replica may have outstanding here (the service's queue bounds them). */
  DirectCalls(ActorSystem<?> system, Materializer materializer, int maxConnections, int maxOpen) {
    this.system = system;
    this.http = Http.get(system);
    this.materializer = materializer;
    // Pekko wants a power of two; a full pool would fail calls the service's queue admitted.
    int open = Integer.highestOneBit(Math.max(maxOpen, maxConnections) - 1) << 1;
    this.pool = ConnectionPoolSettings.create(system.classicSystem())
        .withMaxConnections(maxConnections)
        .withMaxOpenRequests(Math.max(open, 1))
        .withMaxRetries(0);
  }

  /** The call to {@code base} (as {@code http://host:port}); a failure with a TimeoutException after {@code timeout}. */
  CompletionStage<ReplicaBalancer.Attempt<ProxyWire.Response>> send(
      String replicaId, String base, ReplicaCalls.Request request, Duration timeout) {
    HttpRequest http = HttpRequest.create()
        .withMethod(HttpMethods.lookup(request.method())
            .orElseGet(() -> HttpMethods.custom(request.method(), false, false, RequestEntityAcceptances.Tolerated)))
        .withUri(base + request.target())
        .addHeaders(headers(request.headers()));
    if (request.body() != null && !request.body().isEmpty()) {
      http = http.withEntity(HttpEntities.create(contentType(request.contentType()), request.body()));
    }
    // Re-homed at once: continuations of Pekko's stages would each start a thread on two cores (see Asks).
    return Asks.completedInline(
            this.http.singleRequest(http, this.http.defaultClientHttpsContext(), pool, system.classicSystem().log()))
        .thenCompose(response -> answer(response, timeout))
        .<ReplicaBalancer.Attempt<ProxyWire.Response>>handle((response, failure) -> {
          if (failure == null) {
            return ReplicaCalls.attempt(response);
          }
          String reason = "could not reach " + base + " of replica " + replicaId + ": " + rootMessage(failure);
          log.debug("Replica {}: {}", replicaId, reason);
          return new ReplicaBalancer.Attempt.Unreachable<>(reason);
        })
        .toCompletableFuture()
        .orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** A small body known whole comes inline; any other streams, as the node's proxy answers. */
  private CompletionStage<ProxyWire.Response> answer(HttpResponse response, Duration timeout) {
    ResponseEntity entity = response.entity();
    String type = entity.getContentType().equals(ContentTypes.NO_CONTENT_TYPE) ? null : entity.getContentType().toString();
    List<ProxyWire.Header> headers = new ArrayList<>();
    for (HttpHeader header : response.getHeaders()) {
      if (!ProxyWire.HOP_BY_HOP.contains(header.lowercaseName())) {
        headers.add(new ProxyWire.Header(header.name(), header.value()));
      }
    }
    int status = response.status().intValue();
    if (entity.isKnownEmpty()) {
      return CompletableFuture.completedFuture(new ProxyWire.Response(status, headers, type, null, null));
    }
    // A small answer usually arrives whole: taken as it is, without running a stream for it.
    if (entity instanceof HttpEntity.Strict strict && strict.getData().size() <= ProxyPieces.SIZE) {
      return CompletableFuture.completedFuture(inline(status, headers, type, strict.getData()));
    }
    if (entity.getContentLengthOption().isPresent() && entity.getContentLengthOption().getAsLong() <= ProxyPieces.SIZE) {
      return Asks.completedInline(entity.toStrict(timeout.toMillis(), materializer))
          .thenApply(strict -> inline(status, headers, type, strict.getData()));
    }
    return CompletableFuture.completedFuture(new ProxyWire.Response(status, headers, type, null,
        entity.getDataBytes().mapConcat(ProxyPieces::chunks).runWith(StreamRefs.sourceRef(), materializer)));
  }

  private static ProxyWire.Response inline(int status, List<ProxyWire.Header> headers, String type, ByteString body) {
    return new ProxyWire.Response(status, headers, type, new ProxyWire.Chunk(body.toArray()), null);
  }

  /**
   * Already without hop-by-hop headers and DCloud's credentials ({@link io.dcloud.gateway.environment.ProxyHeaders#forwarded}).
   * Parsed, so Host stays the caller's, as the node's proxy sends it (ContainerProxy); as sent where
   * Pekko's model of a header would change it (its {@code X-Forwarded-Host} keeps no port).
   */
  private static List<HttpHeader> headers(List<ProxyWire.Header> headers) {
    List<HttpHeader> parsed = new ArrayList<>(headers.size());
    for (ProxyWire.Header header : headers) {
      HttpHeader modeled = HttpHeader.parse(header.name(), header.value());
      parsed.add(modeled.value().equals(header.value()) ? modeled : RawHeader.create(header.name(), header.value()));
    }
    return parsed;
  }

  private static ContentType contentType(String text) {
    return text == null ? ContentTypes.APPLICATION_OCTET_STREAM : ContentTypeTexts.parse(text);
  }

  private static String rootMessage(Throwable failure) {
    Throwable root = failure;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    return root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
  }
}
