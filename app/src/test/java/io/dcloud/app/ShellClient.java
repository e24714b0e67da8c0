package io.dcloud.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * A user's end of {@code GET /environments/{id}/exec} as a WebSocket (java.net.http): sends stdin
 * as binary frames and control messages as text frames, and keeps what comes back: the output
 * bytes, the text frames (the exit), and the close code.
 */
final class ShellClient implements WebSocket.Listener {
  private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(30);

  private final ByteArrayOutputStream output = new ByteArrayOutputStream();
  private final List<String> texts = new CopyOnWriteArrayList<>();
  private final StringBuilder partialText = new StringBuilder();
  private final CompletableFuture<Integer> closed = new CompletableFuture<>();
  private WebSocket socket;

  /**
   * Opens the socket to environment environmentId as api's user (their token), query (from its "?")
   * naming the command and whether it has a terminal; fails with the handshake's error.
   */
  static ShellClient open(Api api, String environmentId, String query) throws Exception {
    URI uri = URI.create(api.uri("/api/v1/environments/" + environmentId + "/exec" + query).toString()
        .replaceFirst("^http", "ws"));
    ShellClient client = new ShellClient();
    client.socket = api.client().newWebSocketBuilder().header("Authorization", api.bearer()).connectTimeout(CONNECT_TIMEOUT)
        .buildAsync(uri, client).get(CONNECT_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    return client;
  }

  /** Opens a shell as {@link #open} does expecting its handshake refused (or the test fails); answers the refusal's HTTP status. */
  static int refusal(Api api, String environmentId) {
    Throwable refused = catchThrowable(() -> open(api, environmentId, ""));
    WebSocketHandshakeException handshake = null;
    for (Throwable t = refused; t != null && handshake == null; t = t.getCause()) {
      handshake = t instanceof WebSocketHandshakeException h ? h : null;
    }
    assertThat(handshake).as("%s", refused).isNotNull();
    return handshake.getResponse().statusCode();
  }

  void stdin(String text) {
    socket.sendBinary(ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8)), true).join();
  }

  void control(String json) {
    socket.sendText(json, true).join();
  }

  synchronized String output() {
    return output.toString(StandardCharsets.UTF_8);
  }

  List<String> texts() {
    return texts;
  }

  /** The close code the server sent. */
  CompletableFuture<Integer> closed() {
    return closed;
  }

  /** Goes away without a word: the TCP connection just ends. */
  void abandon() {
    socket.abort();
  }

  @Override
  public CompletionStage<?> onBinary(WebSocket webSocket, ByteBuffer data, boolean last) {
    byte[] bytes = new byte[data.remaining()];
    data.get(bytes);
    synchronized (this) {
      output.writeBytes(bytes);
    }
    webSocket.request(1);
    return null;
  }

  @Override
  public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
    partialText.append(data);
    if (last) {
      texts.add(partialText.toString());
      partialText.setLength(0);
    }
    webSocket.request(1);
    return null;
  }

  @Override
  public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
    closed.complete(statusCode);
    return null;
  }

  @Override
  public void onError(WebSocket webSocket, Throwable error) {
    closed.completeExceptionally(error);
  }
}
