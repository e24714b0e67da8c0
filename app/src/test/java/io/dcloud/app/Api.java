package io.dcloud.app;

import com.fasterxml.jackson.databind.JsonNode;
import io.dcloud.testing.ApiSession;
import java.time.Duration;
import org.awaitility.Awaitility;

/** The API of a node these tests started, as its admin unless {@link #as} says otherwise. */
final class Api extends ApiSession {

  Api(int port) {
    this("http://127.0.0.1:" + port, "admin", OneNodeDCloud.ADMIN_PASSWORD);
  }

  private Api(String base, String username, String password) {
    super(base, username, password);
  }

  /** The same API signed in as another user. */
  Api as(String otherUsername, String otherPassword) {
    return new Api(base(), otherUsername, otherPassword);
  }

  /**
   * The environment as its entity answers it, not the gateway's read side: a GET answered from the
   * read side ({@code "stale": true}, when the entity took longer than dcloud.http.read-ask-timeout
   * on a busy machine) has only the latest history step, which a test reading the history cannot use.
   */
  JsonNode freshEnvironment(String id) {
    JsonNode[] last = new JsonNode[1];
    Awaitility.await("a fresh answer for " + id).atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(200))
        .until(() -> {
          last[0] = get("/api/v1/environments/" + id).json();
          return !last[0].path("stale").asBoolean(false);
        });
    return last[0];
  }
}
