package io.dcloud.cli.env;

import static org.apache.pekko.http.javadsl.server.Directives.extractRequest;
import static org.apache.pekko.http.javadsl.server.Directives.handleWebSocketMessages;
import static org.assertj.core.api.Assertions.assertThat;

import io.dcloud.cli.CliRunner;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.ws.BinaryMessage;
import org.apache.pekko.http.javadsl.model.ws.Message;
import org.apache.pekko.http.javadsl.model.ws.TextMessage;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The client side of the exec WebSocket (contract 1) against a WebSocket server that plays the
 * gateway's part: it takes stdin as binary frames until {"type":"eof"}, answers the stdin shouted
 * back as output, then {"type":"exit","exitCode":7}, and closes.
 */
class InteractiveExecTest {
  private static final long STRICT_MILLIS = 5_000;

  private ActorSystem system;
  private ServerBinding binding;
  private final AtomicReference<HttpRequest> upgrade = new AtomicReference<>();
  private final CompletableFuture<List<String>> received = new CompletableFuture<>();

  @TempDir
  Path config;

  @BeforeEach
  void startServer() throws Exception {
    system = ActorSystem.create("interactive-exec-test");
    Materializer materializer = Materializer.matFromSystem(system);
    Sink<Message, ?> input = Flow.of(Message.class)
        .mapAsync(1, message -> message.isText()
            ? message.asTextMessage().toStrict(STRICT_MILLIS, materializer).thenApply(t -> "text " + t.getStrictText())
            : message.asBinaryMessage().toStrict(STRICT_MILLIS, materializer).thenApply(b -> "binary " + b.getStrictData().utf8String()))
        .takeWhile(frame -> !frame.contains("\"eof\""), true)
        .to(Sink.<String>seq().mapMaterializedValue(frames -> frames.thenAccept(received::complete)));
    Source<Message, ?> output = Source.completionStage(received).mapConcat(frames -> List.of(
        BinaryMessage.create(ByteString.fromString(String.join("|", frames).toUpperCase())),
        TextMessage.create("{\"type\":\"exit\",\"exitCode\":7}")));
    binding = Http.get(system).newServerAt("127.0.0.1", 0)
        .bind(extractRequest(request -> {
          upgrade.set(request);
          return handleWebSocketMessages(Flow.fromSinkAndSource(input, output));
        }))
        .toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @AfterEach
  void stopServer() throws Exception {
    binding.unbind().toCompletableFuture().get(10, TimeUnit.SECONDS);
    system.terminate();
  }

  @Test
  void sendsStdinThenEofPrintsTheOutputAndExitsWithTheCommandsStatus() {
    String id = "123e4567-e89b-12d3-a456-426614174000";
    CliRunner.Result result = new CliRunner(config)
        .with("DCLOUD_API", "http://127.0.0.1:" + binding.localAddress().getPort())
        .with("DCLOUD_TOKEN", "the-token")
        .runWithStdin("typed keys", "env", "exec", "-t", id, "--", "bash", "-l");

    assertThat(result.status()).as(result.toString()).isEqualTo(7);
    assertThat(result.out()).isEqualTo("BINARY TYPED KEYS|TEXT {\"TYPE\":\"EOF\"}");
    HttpRequest request = upgrade.get();
    assertThat(request.getUri().path()).isEqualTo("/api/v1/environments/" + id + "/exec");
    assertThat(request.getUri().rawQueryString()).hasValue("command=bash&command=-l&tty=true");
    assertThat(request.getHeader("Authorization").orElseThrow().value()).isEqualTo("Bearer the-token");
  }
}
