package io.dcloud.cli.env;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dcloud.cli.common.ApiClient;
import io.dcloud.cli.common.CliException;
import io.dcloud.cli.common.CliIo;
import io.dcloud.cli.common.ExitCodes;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.nio.ByteBuffer;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;

/**
 * An interactive exec over the WebSocket of {@code GET /environments/{id}/exec} (binary frames:
 * stdin up, output down; text frames: JSON control messages). The terminal's size is sent once at
 * the start (no SIGWINCH in Java); the exit status comes in {@code {"type":"exit","exitCode":N}}.
 */
final class InteractiveExec {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int BUFFER = 8192;

  private final CliIo io;
  private final ApiClient client;

  InteractiveExec(CliIo io, ApiClient client) {
    this.io = io;
    this.client = client;
  }

  int run(String id, List<String> command, boolean tty) {
    Map<String, Object> parameters = new LinkedHashMap<>();
    parameters.put("command", command);
    parameters.put("tty", tty);
    String base = client.base().toString().replaceFirst("^http", "ws");
    URI uri = URI.create(base + ApiClient.PREFIX + EnvCommand.path(id) + "/exec" + ApiClient.query(parameters));
    Session session = new Session();
    WebSocket socket = connect(id, uri, session);
    try (RawTerminal raw = tty && io.terminal() ? RawTerminal.enter() : null) {
      int[] size = tty && io.terminal() ? RawTerminal.size() : null;
      if (size != null) {
        socket.sendText(JSON.createObjectNode().put("type", "resize").put("cols", size[1]).put("rows", size[0]).toString(), true);
      }
      Thread pump = new Thread(() -> pumpStdin(socket), "dcloud-exec-stdin");
      pump.setDaemon(true);
      pump.start();
      return session.exit.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CliException(ExitCodes.ERROR, "interrupted");
    } catch (ExecutionException e) {
      throw new CliException(ExitCodes.ERROR, "the exec session broke: " + e.getCause().getMessage(), e.getCause());
    } finally {
      socket.abort();
    }
  }

  private WebSocket connect(String id, URI uri, Session session) {
    try {
      return client.http().newWebSocketBuilder()
          .header("Authorization", "Bearer " + client.token())
          .buildAsync(uri, session)
          .join();
    } catch (CompletionException e) {
      if (e.getCause() instanceof WebSocketHandshakeException refused) {
        throw refusal(id, refused.getResponse().statusCode());
      }
      throw client.unreachable(e.getCause());
    }
  }

  /** The handshake's answer has no readable body: the environment itself says why (or is the 404). */
  private CliException refusal(String id, int status) {
    JsonNode environment = client.get(EnvCommand.path(id));
    String state = environment.path("status").asText("?");
    String why = status == 409 ? "environment " + id + " is " + state + ", not RUNNING"
        : status == 403 ? "environment " + id + " is shared with you read-only: only its owner may exec into it"
        : "the gateway refused the exec session (HTTP " + status + ")";
    return new CliException(ExitCodes.forHttpStatus(status), why);
  }

  private void pumpStdin(WebSocket socket) {
    byte[] buffer = new byte[BUFFER];
    InputStream in = io.in();
    try {
      for (int read = in.read(buffer); read >= 0; read = in.read(buffer)) {
        socket.sendBinary(ByteBuffer.wrap(buffer, 0, read), true).join();
      }
      socket.sendText("{\"type\":\"eof\"}", true).join();
    } catch (IOException | CompletionException e) {
      // The session ended (the socket closed under us) or stdin broke: the exit frame decides.
    }
  }

  /** Receives the output and the control messages; {@link #exit} completes when the server closes. */
  private final class Session implements WebSocket.Listener {
    final CompletableFuture<Integer> exit = new CompletableFuture<>();
    private final StringBuilder text = new StringBuilder();
    private Integer exitCode;

    @Override
    public CompletionStage<?> onBinary(WebSocket socket, ByteBuffer data, boolean last) {
      byte[] bytes = new byte[data.remaining()];
      data.get(bytes);
      io.out().write(bytes, 0, bytes.length);
      io.out().flush();
      socket.request(1);
      return null;
    }

    @Override
    public CompletionStage<?> onText(WebSocket socket, CharSequence data, boolean last) {
      text.append(data);
      if (last) {
        try {
          JsonNode message = JSON.readTree(text.toString());
          if ("exit".equals(message.path("type").asText()) && message.path("exitCode").canConvertToInt()) {
            exitCode = message.path("exitCode").asInt();
          }
        } catch (IOException notJson) {
          // Control messages are JSON; anything else is not for this client.
        }
        text.setLength(0);
      }
      socket.request(1);
      return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket socket, int statusCode, String reason) {
      if (exitCode != null) {
        exit.complete(exitCode);
      } else {
        exit.completeExceptionally(new IOException("closed (" + statusCode + (reason.isEmpty() ? "" : " " + reason)
            + ") before the command ended"));
      }
      return null;
    }

    @Override
    public void onError(WebSocket socket, Throwable error) {
      exit.completeExceptionally(error);
    }
  }
}
