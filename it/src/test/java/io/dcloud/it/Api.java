package io.dcloud.it;

import com.fasterxml.jackson.databind.JsonNode;
import io.dcloud.testing.ApiSession;

/** One node's HTTP API, as its admin. */
final class Api extends ApiSession {

  Api(int port) {
    super("http://127.0.0.1:" + port, "admin", Node.ADMIN_PASSWORD);
  }

  /** The environment as this node's API shows it. */
  JsonNode environment(String id) {
    Response response = get("/api/v1/environments/" + id);
    if (response.status() != 200) {
      throw new AssertionError("GET environment " + id + " via " + this + ": " + response.status() + " " + response.body());
    }
    return response.json();
  }

  /** The {@code nodes} array of {@code GET /nodes}. */
  JsonNode nodes() {
    Response response = get("/api/v1/nodes");
    if (response.status() != 200) {
      throw new AssertionError("GET /nodes via " + this + ": " + response.status() + " " + response.body());
    }
    return response.json().get("nodes");
  }
}
