package io.dcloud.gateway.environment;

import com.fasterxml.jackson.databind.JsonNode;
import io.dcloud.environment.EnvironmentEntity;
import io.dcloud.environment.EnvironmentStatus;
import io.dcloud.environment.EnvironmentView;
import io.dcloud.environment.SpecLimits;
import io.dcloud.gateway.common.AuditLog;
import io.dcloud.gateway.common.ClusterAsks;
import io.dcloud.gateway.common.JsonYaml;
import io.dcloud.gateway.common.Problem;
import io.dcloud.identity.Caller;
import io.dcloud.node.ShellProtocol;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.http.javadsl.model.AttributeKeys;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.Uri;
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
 * {@code GET /environments/{id}/exec} upgraded to a WebSocket: an interactive command in a RUNNING
 * environment, on the node that runs it. Who may (owner or admin; group members 403, others 404),
 * whether it runs (409) and whether the node has room (429) are answered as problems before the
 * upgrade; a plain GET is a 400. Binary frames are stdin and output bytes; text frames are the
 * control messages {@code {"type":"resize","cols":…,"rows":…}} and {@code {"type":"eof"}}, and the
 * last one sent, {@code {"type":"exit","exitCode":N}}. The streams cross the cluster as StreamRefs:
 * the socket's end ends the node's session.
 */
public final class EnvironmentShell extends AllDirectives {
  private static final Logger log = LoggerFactory.getLogger(EnvironmentShell.class);
  private static final String ACTION = "environment.exec";
  /** A client's frame arrives in parts at most this long apart. */
  private static final Duration FRAME_TIMEOUT = Duration.ofSeconds(10);

  private final ActorSystem<?> system;
  private final ClusterAsks asks;
  private final JsonYaml codec;
  private final SpecLimits limits;
  private final AuditLog audit;

  public EnvironmentShell(ActorSystem<?> system, ClusterAsks asks, JsonYaml codec, SpecLimits limits, AuditLog audit) {
    this.system = system;
    this.asks = asks;
    this.codec = codec;
    this.limits = limits;
    this.audit = audit;
  }

  public Route route(String id, Caller caller) {
    return get(() -> extractUri(uri -> parameterOptional("tty", tty ->
        optionalAttribute(AttributeKeys.webSocketUpgrade, upgrade -> {
          ShellRequest request = ShellRequest.read(commandOf(uri), tty, limits);
          return completeWithFuture(open(id, caller, request, upgrade));
        }))));
  }

  /** The repeated {@code command} parameters in the order sent (pekko's parameter lists come reversed). */
  private static List<String> commandOf(Uri uri) {
    return uri.query().toList().stream().filter(p -> p.first().equals("command")).map(Pair::second).toList();
  }

  private CompletionStage<HttpResponse> open(String id, Caller caller, ShellRequest request, Optional<WebSocketUpgrade> upgrade) {
    return EnvironmentReplies.view(asks, id, caller).thenCompose(view -> {
      mayReach(id, caller, view);
      if (upgrade.isEmpty()) {
        throw Problem.of(Problem.Type.MALFORMED_REQUEST, "GET /environments/" + id + "/exec expects a WebSocket upgrade "
            + "(Connection: Upgrade, Upgrade: websocket); to run one command without it, POST to the same path").exception();
      }
      if (view.status() != EnvironmentStatus.RUNNING) {
        throw Problem.conflict("cannot run a command in environment " + id + ": it is " + view.status() + ", not RUNNING")
            .exception();
      }
      Pair<Subscriber<ShellProtocol.Input>, SourceRef<ShellProtocol.Input>> input =
          Source.<ShellProtocol.Input>asSubscriber().toMat(StreamRefs.sourceRef(), Keep.both()).run(system);
      return asks.<ShellProtocol.Reply>environment(
              id, replyTo -> new EnvironmentEntity.Shell(request.command(), request.tty(), input.second(), replyTo))
          .handle((reply, failure) -> {
            if (!(reply instanceof ShellProtocol.Opened opened)) {
              // Nobody will read the input: end it here rather than at its subscription timeout.
              Source.<ShellProtocol.Input>empty().runWith(Sink.fromSubscriber(input.first()), system);
              if (failure != null) {
                throw failure instanceof RuntimeException e ? e : new IllegalStateException(failure);
              }
              throw refusal(id, caller, reply);
            }
            log.info("Environment {}: {} opened {} interactively (tty={})", id, caller.username(), request.command().get(0),
                request.tty());
            return upgrade.get().handleMessagesWith(
                Flow.<Message>create().mapAsync(1, this::strict).mapConcat(this::inputOf).to(Sink.fromSubscriber(input.first())),
                output(id, caller, opened));
          });
    });
  }

  private void mayReach(String id, Caller caller, EnvironmentView view) {
    if (!caller.mayAccess(view.owner())) {
      audit.record(caller, ACTION, id, "forbidden");
      throw Problem.of(Problem.Type.FORBIDDEN, "environment " + id + " is shared with a group of yours to see: only "
          + view.owner() + " or an admin may run commands in it").exception();
    }
  }

  private RuntimeException refusal(String id, Caller caller, ShellProtocol.Reply reply) {
    audit.record(caller, ACTION, id, "refused");
    if (reply instanceof ShellProtocol.Refused refused) {
      return Problem.of(Problem.Type.TOO_MANY_SESSIONS, "the node of environment " + id + " runs " + refused.limit()
          + " interactive commands, its limit (dcloud.node.max-shells): try again when one ends").exception();
    }
    return Problem.conflict("cannot run a command in environment " + id + ": "
        + ((ShellProtocol.Unavailable) reply).reason()).exception();
  }

  /** The node's output as frames, the exit last; the audit log hears how it ended. */
  private Source<Message, NotUsed> output(String id, Caller caller, ShellProtocol.Opened opened) {
    AtomicBoolean exited = new AtomicBoolean();
    return opened.output().getSource()
        .map(out -> {
          if (out instanceof ShellProtocol.Bytes bytes) {
            return (Message) BinaryMessage.create(ByteString.fromArray(bytes.bytes()));
          }
          Integer code = ((ShellProtocol.Exit) out).exitCode();
          exited.set(true);
          audit.record(caller, ACTION, id, "interactive exit " + code);
          log.info("Environment {}: {}'s interactive command ended (exit code {})", id, caller.username(), code);
          return (Message) TextMessage.create("{\"type\":\"exit\",\"exitCode\":" + code + "}");
        })
        .watchTermination((notUsed, done) -> done.whenComplete((ok, failure) -> {
          if (!exited.get()) {
            audit.record(caller, ACTION, id, "interactive abandoned");
            log.info("Environment {}: {} left an interactive command before it ended", id, caller.username());
          }
        }))
        .mapMaterializedValue(done -> NotUsed.getInstance());
  }

  /** Frames may come in parts: each is read whole (they are small: keystrokes, pastes, control messages). */
  private CompletionStage<Message> strict(Message message) {
    Materializer materializer = Materializer.matFromSystem(system);
    if (message.isText()) {
      return message.asTextMessage().toStrict(FRAME_TIMEOUT.toMillis(), materializer).thenApply(m -> (Message) m);
    }
    return message.asBinaryMessage().toStrict(FRAME_TIMEOUT.toMillis(), materializer).thenApply(m -> (Message) m);
  }

  /** Binary: stdin. Text: a control message; one that is not understood is dropped (a typo must not end a session). */
  private List<ShellProtocol.Input> inputOf(Message message) {
    if (!message.isText()) {
      return List.of(new ShellProtocol.Stdin(message.asBinaryMessage().getStrictData().toArray()));
    }
    String text = message.asTextMessage().getStrictText();
    try {
      JsonNode control = codec.mapper().readTree(text);
      String type = control.path("type").asText();
      if (type.equals("eof")) {
        return List.of(new ShellProtocol.StdinEnd());
      }
      if (type.equals("resize") && control.path("cols").canConvertToInt() && control.path("rows").canConvertToInt()
          && control.path("cols").asInt() > 0 && control.path("rows").asInt() > 0) {
        return List.of(new ShellProtocol.Resize(control.path("cols").asInt(), control.path("rows").asInt()));
      }
    } catch (IOException notJson) {
      // dropped below
    }
    log.debug("dropped a control message that is not understood: {}", text);
    return List.of();
  }
}
