package io.dcloud.node;

import io.dcloud.ask.Asks;
import io.dcloud.node.ProxyWire.Why;
import java.time.Duration;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.model.ContentType;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpHeader;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.RequestEntity;
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
  /** How long a small answer's body may take to arrive whole: as long as the client waits on a quiet connection. */
  private final Duration smallBodyTimeout;

  ContainerProxy(ActorSystem<?> system, ContainerActivity activity) {
    this.materializer = Materializer.matFromSystem(system);
    this.http = Http.get(system);
    this.activity = activity;
    this.smallBodyTimeout = system.settings().config().getDuration("pekko.http.client.idle-timeout");
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
    HttpRequest request = ProxyHttp.request(call.method(), proxy.port().urlOnItsMachine("http") + call.target(), call.headers())
        .withEntity(entity(call));
    log.debug("Environment {}: {} {} to port {}", proxy.environmentId(), call.method(), call.target(),
        proxy.port().containerPort());
    // Re-homed at once: continuations of Pekko's stages would each start a thread on two cores (see Asks).
    Asks.completedInline(http.singleRequest(request))
        .thenCompose(response -> ProxyHttp.answer(response, smallBodyTimeout, materializer))
        .whenComplete((answer, failure) ->
            proxy.replyTo().tell(failure == null ? (ProxyWire.Reply) answer : unreachable(proxy, failure)));
  }

  private static RequestEntity entity(ProxyWire.Http call) {
    ContentType type = ProxyHttp.contentType(call.contentType());
    if (call.body() != null) {
      return HttpEntities.create(type, call.body().bytes());
    }
    if (call.bodyStream() != null) {
      return HttpEntities.createChunked(type, call.bodyStream().getSource().map(chunk -> ByteString.fromArray(chunk.bytes())));
    }
    return HttpEntities.EMPTY;
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
    for (HttpHeader header : ProxyHttp.headers(call.headers())) {
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
}
