package io.dcloud.node;

import io.dcloud.ask.Asks;
import io.dcloud.node.ProxyWire.Why;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.NoSuchElementException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.model.ContentType;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpHeader;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.apache.pekko.http.javadsl.model.HttpMethods;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.RequestEntity;
import org.apache.pekko.http.javadsl.model.RequestEntityAcceptances;
import org.apache.pekko.http.javadsl.model.ResponseEntity;
import org.apache.pekko.http.javadsl.model.ws.BinaryMessage;
import org.apache.pekko.http.javadsl.model.ws.Message;
import org.apache.pekko.http.javadsl.model.ws.TextMessage;
import org.apache.pekko.http.javadsl.model.ws.WebSocketRequest;
import org.apache.pekko.http.javadsl.model.ws.WebSocketUpgradeResponse;
import org.apache.pekko.japi.Pair;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.stream.SourceRef;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.stream.javadsl.Keep;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.stream.javadsl.StreamRefs;
import org.apache.pekko.util.ByteString;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's side of the gateway's proxy: makes the request (or opens the WebSocket) to the
 * container's port (at the container's own address when known, else as the engine published it on
 * this machine), and streams the answer back as
 * StreamRefs. The environment proxy always comes through here: a published port is bound on the
 * node's own address ({@code dcloud.node.publish-host-ip}, loopback by default), which no other
 * machine can reach, and the tenant's bridge network is not routed off the machine either. (A
 * service's replica is also called by the gateway of its own machine directly, when it may.)
 * Everything here is asynchronous (Pekko HTTP's client): nothing blocks the node's actor.
 */
final class ContainerProxy {
  private static final Logger log = LoggerFactory.getLogger(ContainerProxy.class);

  private final Materializer materializer;
  private final Http http;
  private final ContainerActivity activity;

  ContainerProxy(ActorSystem<?> system, ContainerActivity activity) {
    this.materializer = Materializer.matFromSystem(system);
    this.http = Http.get(system);
    this.activity = activity;
  }

  void handle(NodeProtocol.ProxyTo proxy) {
    activity.activity(proxy.environmentId());
    if (proxy.call() instanceof ProxyWire.Http call) {
      forward(proxy, call);
    } else if (proxy.call() instanceof ProxyWire.WebSocket call) {
      open(proxy, call);
    }
  }

  private void forward(NodeProtocol.ProxyTo proxy, ProxyWire.Http call) {
    HttpRequest request = HttpRequest.create()
        .withMethod(HttpMethods.lookup(call.method()).orElseGet(() -> HttpMethods.custom(call.method(), false, false, RequestEntityAcceptances.Tolerated)))
        .withUri(proxy.port().urlOnItsMachine("http") + call.target())
        .addHeaders(headers(call.headers()))
        .withEntity(entity(call));
    log.debug("Environment {}: {} {} to port {}", proxy.environmentId(), call.method(), call.target(),
        proxy.port().containerPort());
    // Re-homed at once: continuations of Pekko's stages would each start a thread on two cores (see Asks).
    Asks.completedInline(http.singleRequest(request))
        .thenCompose(this::answer)
        .whenComplete((answer, failure) -> proxy.replyTo().tell(failure == null ? answer : unreachable(proxy, failure)));
  }

  private static RequestEntity entity(ProxyWire.Http call) {
    ContentType type = contentType(call.contentType());
    if (call.body() != null) {
      return HttpEntities.create(type, call.body().bytes());
    }
    if (call.bodyStream() != null) {
      return HttpEntities.createChunked(type, call.bodyStream().getSource().map(chunk -> ByteString.fromArray(chunk.bytes())));
    }
    return HttpEntities.EMPTY;
  }

  /** A small body known whole travels inline; any other streams, in pieces. */
  private CompletionStage<ProxyWire.Reply> answer(HttpResponse response) {
    ResponseEntity entity = response.entity();
    String type = entity.getContentType().equals(ContentTypes.NO_CONTENT_TYPE) ? null : entity.getContentType().toString();
    List<ProxyWire.Header> headers = wire(response.getHeaders());
    int status = response.status().intValue();
    if (entity.isKnownEmpty()) {
      return CompletableFuture.completedFuture(new ProxyWire.Response(status, headers, type, null, null));
    }
    if (entity.getContentLengthOption().isPresent() && entity.getContentLengthOption().getAsLong() <= ProxyPieces.SIZE) {
      return Asks.completedInline(entity.getDataBytes().runFold(ByteString.emptyByteString(), ByteString::concat, materializer))
          .thenApply(bytes -> new ProxyWire.Response(status, headers, type, new ProxyWire.Chunk(bytes.toArray()), null));
    }
    SourceRef<ProxyWire.Chunk> body = entity.getDataBytes()
        .mapConcat(ProxyPieces::chunks)
        .runWith(StreamRefs.sourceRef(), materializer);
    return CompletableFuture.completedFuture(new ProxyWire.Response(status, headers, type, null, body));
  }

  /**
   * The container's messages go out through a SourceRef materialized with the connection; the
   * client's come in through theirs. The container refusing the upgrade (no WebSocket there, a 403
   * from its origin check) is {@link Why#UNREACHABLE} with its status.
   */
  private void open(NodeProtocol.ProxyTo proxy, ProxyWire.WebSocket call) {
    Sink<Message, SourceRef<ProxyWire.Frame>> toClient = Flow.<Message>create()
        .mapAsync(1, this::whole)
        .mapConcat(whole -> ProxyPieces.frames(whole.first(), whole.second()))
        .toMat(StreamRefs.sourceRef(), Keep.right());
    Source<Message, ?> fromClient = call.fromClient().getSource()
        .via(ProxyPieces.wholeMessages())
        .map(frame -> frame.text()
            ? (Message) TextMessage.create(ByteString.fromArray(frame.bytes()).utf8String())
            : BinaryMessage.create(ByteString.fromArray(frame.bytes())));
    WebSocketRequest request = WebSocketRequest.create(proxy.port().urlOnItsMachine("ws") + call.target());
    for (HttpHeader header : headers(call.headers())) {
      request = request.addHeader(header);
    }
    if (!call.subprotocols().isEmpty()) {
      request = request.requestSubprotocol(String.join(", ", call.subprotocols()));
    }
    Pair<CompletionStage<WebSocketUpgradeResponse>, SourceRef<ProxyWire.Frame>> opened =
        http.singleWebSocketRequest(request, Flow.fromSinkAndSourceMat(toClient, fromClient, Keep.left()), materializer);
    opened.first().whenComplete((upgrade, failure) -> {
      if (failure != null) {
        proxy.replyTo().tell(unreachable(proxy, failure));
      } else if (!upgrade.isValid()) {
        proxy.replyTo().tell(new ProxyWire.Unavailable(Why.UNREACHABLE, "port " + proxy.port().containerPort()
            + " of environment " + proxy.environmentId() + " refused the WebSocket: " + upgrade.invalidationReason()));
      } else {
        log.debug("Environment {}: WebSocket {} open on port {}", proxy.environmentId(), call.target(),
            proxy.port().containerPort());
        proxy.replyTo().tell(new ProxyWire.WebSocketOpened(upgrade.chosenSubprotocol().orElse(null), opened.second()));
      }
    });
  }

  /** A message's whole payload (it may arrive streamed), and whether it is text. */
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

  private static ProxyWire.Unavailable unreachable(NodeProtocol.ProxyTo proxy, Throwable failure) {
    String reason = "could not reach port " + proxy.port().containerPort() + " of environment " + proxy.environmentId()
        + ": " + Failures.rootMessage(failure);
    log.debug("Environment {}: {}", proxy.environmentId(), reason);
    return new ProxyWire.Unavailable(Why.UNREACHABLE, reason);
  }

  /**
   * Parsed, so Host stays the browser's (applications compare it with Origin) instead of this hop's;
   * as sent where Pekko's model of a header would change it (its {@code X-Forwarded-Host} keeps no port).
   */
  private static List<HttpHeader> headers(List<ProxyWire.Header> headers) {
    List<HttpHeader> parsed = new ArrayList<>();
    for (ProxyWire.Header header : headers) {
      if (!ProxyWire.HOP_BY_HOP.contains(header.name().toLowerCase(Locale.ROOT))) {
        HttpHeader modeled = HttpHeader.parse(header.name(), header.value());
        parsed.add(modeled.value().equals(header.value()) ? modeled : RawHeader.create(header.name(), header.value()));
      }
    }
    return parsed;
  }

  private static List<ProxyWire.Header> wire(Iterable<HttpHeader> headers) {
    List<ProxyWire.Header> wire = new ArrayList<>();
    for (HttpHeader header : headers) {
      if (!ProxyWire.HOP_BY_HOP.contains(header.lowercaseName())) {
        wire.add(new ProxyWire.Header(header.name(), header.value()));
      }
    }
    return wire;
  }

  private static ContentType contentType(String text) {
    if (text == null) {
      return ContentTypes.APPLICATION_OCTET_STREAM;
    }
    try {
      return ContentTypes.parse(text);
    } catch (NoSuchElementException | IllegalArgumentException malformed) {
      // Pekko's Java parse takes the right of an Either: a malformed text throws NoSuchElementException.
      return ContentTypes.APPLICATION_OCTET_STREAM;
    }
  }
}
