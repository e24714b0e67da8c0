package io.dcloud.gateway.environment;

import io.dcloud.ask.Asks;
import io.dcloud.environment.EnvironmentEntity;
import io.dcloud.environment.EnvironmentView;
import io.dcloud.gateway.common.ClusterAsks;
import io.dcloud.http.ContentTypeTexts;
import io.dcloud.gateway.common.Problem;
import io.dcloud.identity.Caller;
import io.dcloud.node.ProxyPieces;
import io.dcloud.node.ProxyWire;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.stream.StreamSupport;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.http.javadsl.model.AttributeKeys;
import org.apache.pekko.http.javadsl.model.ContentType;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpEntity;
import org.apache.pekko.http.javadsl.model.HttpHeader;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.RequestEntity;
import org.apache.pekko.http.javadsl.model.ResponseEntity;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.ws.BinaryMessage;
import org.apache.pekko.http.javadsl.model.ws.Message;
import org.apache.pekko.http.javadsl.model.ws.TextMessage;
import org.apache.pekko.http.javadsl.model.ws.WebSocketUpgrade;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.japi.Pair;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.stream.SourceRef;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.stream.javadsl.Keep;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.stream.javadsl.StreamRefs;
import org.apache.pekko.util.ByteString;
import org.reactivestreams.Subscriber;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One request or WebSocket into an environment's port, for its owner or an admin (a group member
 * who sees it: 403; anyone else: 404), forwarded by the environment's entity to the node that runs
 * it ({@link ProxyWire}). The user's DCloud credentials never reach the container (see {@link
 * ProxyHeaders}); an environment with a generated {@code JUPYTER_TOKEN} gets it instead, so its
 * owner, signed in to DCloud, is signed in to its notebook too.
 */
public final class EnvironmentProxy extends AllDirectives {
  private static final Logger log = LoggerFactory.getLogger(EnvironmentProxy.class);

  private final ClusterAsks asks;
  private final Materializer materializer;
  /** How long a small body's pieces may take to arrive (it is at most 64 KiB). */
  private static final long GATHER_TIMEOUT_MILLIS = 10_000;
  private final ProxyHeaders headers;

  EnvironmentProxy(ActorSystem<?> system, ClusterAsks asks, ProxyHeaders headers) {
    this.asks = asks;
    this.materializer = Materializer.matFromSystem(system);
    this.headers = headers;
  }

  public Route route(String id, int port, Caller caller) {
    return extractRequest(request -> {
      Optional<WebSocketUpgrade> upgrade = request.getAttribute(AttributeKeys.webSocketUpgrade);
      return completeWithFuture(EnvironmentReplies.view(asks, id, caller).thenCompose(view -> {
        mayOpen(id, caller, view);
        return upgrade.isPresent()
            ? webSocket(id, port, caller, request, view, upgrade.get())
            : http(id, port, caller, request, view);
      }));
    });
  }

  private static void mayOpen(String id, Caller caller, EnvironmentView view) {
    if (!caller.mayAccess(view.owner())) {
      throw Problem.of(Problem.Type.FORBIDDEN, "environment " + id + " is shared with a group of yours to see: only "
          + view.owner() + " or an admin may open it").exception();
    }
  }

  private CompletionStage<HttpResponse> http(String id, int port, Caller caller, HttpRequest request, EnvironmentView view) {
    RequestEntity entity = request.entity();
    // A small body that arrived in pieces (a busy machine reads the headers first) is gathered and
    // sent on whole: streamed, the node would forward it chunked, without the Content-Length that
    // many apps read a body by (Python's http.server reads nothing without it).
    if (!(entity instanceof HttpEntity.Strict) && entity.getContentLengthOption().isPresent()
        && entity.getContentLengthOption().getAsLong() <= ProxyPieces.SIZE) {
      return Asks.completedInline(entity.toStrict(GATHER_TIMEOUT_MILLIS, materializer))
          .thenCompose(whole -> http(id, port, caller, request.withEntity(whole), view));
    }
    String contentType = entity.isKnownEmpty() || entity.getContentType().equals(ContentTypes.NO_CONTENT_TYPE)
        ? null : entity.getContentType().toString();
    ProxyWire.Chunk body = null;
    SourceRef<ProxyWire.Chunk> bodyStream = null;
    if (entity instanceof HttpEntity.Strict strict && strict.getData().size() <= ProxyPieces.SIZE) {
      body = strict.getData().isEmpty() ? null : new ProxyWire.Chunk(strict.getData().toArray());
    } else if (!entity.isKnownEmpty()) {
      bodyStream = entity.getDataBytes().mapConcat(ProxyPieces::chunks).runWith(StreamRefs.sourceRef(), materializer);
    }
    ProxyWire.Http call = new ProxyWire.Http(request.method().value(), target(request),
        headers.forwarded(request, caller, view, false), contentType, body, bodyStream);
    return asks.<ProxyWire.Reply>environment(id, replyTo -> new EnvironmentEntity.Proxy(port, call, replyTo))
        .thenApply(reply -> {
          if (reply instanceof ProxyWire.Response response) {
            return response(response);
          }
          throw problem(id, port, reply).exception();
        });
  }

  /** The container's answer as the client gets it (the service calls' too, see {@link io.dcloud.gateway.service.ServiceCallRoutes}). */
  public static HttpResponse response(ProxyWire.Response response) {
    ContentType type = contentType(response.contentType());
    ResponseEntity entity = response.body() != null ? HttpEntities.create(type, response.body().bytes())
        : response.bodyStream() != null
            ? HttpEntities.createChunked(type, response.bodyStream().getSource().map(c -> ByteString.fromArray(c.bytes())))
            : HttpEntities.create(type, new byte[0]);
    HttpResponse answer = HttpResponse.create()
        .withStatus(StatusCodes.get(response.status()))
        .withEntity(entity);
    for (ProxyWire.Header header : response.headers()) {
      answer = answer.addHeader(HttpHeader.parse(header.name(), header.value()));
    }
    return answer;
  }

  /**
   * The client's messages are taken before the container has answered: a publisher-less source
   * (its subscriber end attached once the upgrade is accepted) gives the node its StreamRef now.
   */
  private CompletionStage<HttpResponse> webSocket(
      String id, int port, Caller caller, HttpRequest request, EnvironmentView view, WebSocketUpgrade upgrade) {
    Pair<Subscriber<ProxyWire.Frame>, SourceRef<ProxyWire.Frame>> fromClient =
        Source.<ProxyWire.Frame>asSubscriber().toMat(StreamRefs.sourceRef(), Keep.both()).run(materializer);
    ProxyWire.WebSocket call = new ProxyWire.WebSocket(target(request), headers.forwarded(request, caller, view, true),
        StreamSupport.stream(upgrade.getRequestedProtocols().spliterator(), false).toList(), fromClient.second());
    return asks.<ProxyWire.Reply>environment(id, replyTo -> new EnvironmentEntity.Proxy(port, call, replyTo))
        .thenApply(reply -> {
          if (!(reply instanceof ProxyWire.WebSocketOpened opened)) {
            Source.<ProxyWire.Frame>empty().runWith(Sink.fromSubscriber(fromClient.first()), materializer);
            throw problem(id, port, reply).exception();
          }
          log.debug("Environment {}: {} opened a WebSocket to port {}", id, caller.username(), port);
          Sink<Message, ?> in = Flow.<Message>create()
              .mapAsync(1, this::whole)
              .mapConcat(whole -> ProxyPieces.frames(whole.first(), whole.second()))
              .to(Sink.fromSubscriber(fromClient.first()));
          Source<Message, ?> out = opened.toClient().getSource()
              .via(ProxyPieces.wholeMessages())
              .map(frame -> frame.text()
                  ? (Message) TextMessage.create(ByteString.fromArray(frame.bytes()).utf8String())
                  : BinaryMessage.create(ByteString.fromArray(frame.bytes())));
          Flow<Message, Message, ?> flow = Flow.fromSinkAndSourceCoupled(in, out);
          return opened.subprotocol() == null
              ? upgrade.handleMessagesWith(flow)
              : upgrade.handleMessagesWith(flow, opened.subprotocol());
        });
  }

  /** A message's whole payload (a browser's may arrive streamed), and whether it is text. */
  private CompletionStage<Pair<Boolean, ByteString>> whole(Message message) {
    if (message.isText()) {
      return message.asTextMessage().getStreamedText()
          .runFold(new StringBuilder(), StringBuilder::append, materializer)
          .thenApply(text -> Pair.create(true, ByteString.fromString(text.toString())));
    }
    return message.asBinaryMessage().getStreamedData()
        .runFold(ByteString.emptyByteString(), ByteString::concat, materializer)
        .thenApply(bytes -> Pair.create(false, bytes));
  }

  /** The whole path, prefix included (applications serve under DCLOUD_PROXY_PREFIX), and the query. */
  private static String target(HttpRequest request) {
    return request.getUri().getPathString() + request.getUri().rawQueryString().map(q -> "?" + q).orElse("");
  }

  private static Problem problem(String id, int port, ProxyWire.Reply reply) {
    if (reply instanceof ProxyWire.Unavailable unavailable) {
      return switch (unavailable.why()) {
        case NOT_RUNNING -> Problem.conflict("cannot open port " + port + " of environment " + id + ": "
            + unavailable.reason());
        case NO_SUCH_PORT -> Problem.of(Problem.Type.NOT_FOUND, unavailable.reason());
        case UNREACHABLE -> Problem.of(Problem.Type.UNREACHABLE, unavailable.reason()
            + " (is something listening on port " + port + " in the environment?)");
      };
    }
    return Problem.of(Problem.Type.UNREACHABLE, "port " + port + " of environment " + id + " answered a "
        + (reply instanceof ProxyWire.WebSocketOpened ? "WebSocket to a plain request" : "plain answer to a WebSocket"));
  }

  private static ContentType contentType(String text) {
    return text == null ? ContentTypes.NO_CONTENT_TYPE : ContentTypeTexts.parse(text);
  }
}
