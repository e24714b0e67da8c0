package io.dcloud.cli;

import static org.apache.pekko.http.javadsl.server.Directives.complete;
import static org.apache.pekko.http.javadsl.server.Directives.concat;
import static org.apache.pekko.http.javadsl.server.Directives.extractRequest;
import static org.apache.pekko.http.javadsl.server.Directives.path;
import static org.apache.pekko.http.javadsl.server.Directives.pathPrefix;
import static org.assertj.core.api.Assertions.assertThat;

import io.dcloud.cli.common.ExitCodes;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpHeader;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code dcloud watch} against a server playing the gateway's event stream (contract 4): the first
 * stream ends after one event, the CLI comes back with its Last-Event-ID, gets {@code reset} and
 * lists again; the third time the token is refused, which ends the watch.
 */
class WatchCommandTest {
  private static final String EVENT = """
      event: environment
      id: 41
      data: {"id":"e1","name":"web","status":"RUNNING","node":"n1"}

      """;

  private ActorSystem system;
  private ServerBinding binding;
  private final List<String> lastEventIds = new CopyOnWriteArrayList<>();

  @TempDir
  Path config;

  @BeforeEach
  void startServer() throws Exception {
    system = ActorSystem.create("watch-command-test");
    binding = Http.get(system).newServerAt("127.0.0.1", 0)
        .bind(pathPrefix("api", () -> pathPrefix("v1", () -> concat(
            path("events", () -> extractRequest(request -> {
              lastEventIds.add(request.getHeader("Last-Event-ID").map(HttpHeader::value).orElse("none"));
              return switch (lastEventIds.size()) {
                case 1 -> complete(HttpResponse.create().withEntity(HttpEntities.create(ContentTypes.TEXT_PLAIN_UTF8, EVENT)));
                case 2 -> complete(HttpResponse.create().withEntity(
                    HttpEntities.create(ContentTypes.TEXT_PLAIN_UTF8, ": keep-alive\n\nevent: reset\ndata: {}\n\n")));
                default -> complete(HttpResponse.create().withStatus(StatusCodes.UNAUTHORIZED).withEntity(
                    HttpEntities.create(ContentTypes.APPLICATION_JSON, "{\"title\":\"Sign in first\",\"status\":401}")));
              };
            })),
            path("environments", () -> complete(HttpResponse.create().withEntity(HttpEntities.create(
                ContentTypes.APPLICATION_JSON,
                "{\"environments\":[{\"id\":\"e2\",\"name\":\"db\",\"status\":\"STOPPED\",\"node\":null}]}"))))))))
        .toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @AfterEach
  void stopServer() throws Exception {
    binding.unbind().toCompletableFuture().get(10, TimeUnit.SECONDS);
    system.terminate();
  }

  @Test
  void printsALinePerEventResumesWithTheLastIdAndListsAgainAfterAReset() {
    CliRunner.Result result = new CliRunner(config)
        .with("DCLOUD_API", "http://127.0.0.1:" + binding.localAddress().getPort())
        .with("DCLOUD_TOKEN", "t")
        .run("watch");

    assertThat(result.out().lines()).containsExactly("environment e1 web RUNNING n1", "reset", "environment e2 db STOPPED -");
    assertThat(lastEventIds).containsExactly("none", "41", "41");
    assertThat(result.status()).as(result.toString()).isEqualTo(ExitCodes.UNAUTHENTICATED);
    assertThat(result.err()).contains("Sign in first");
  }
}
