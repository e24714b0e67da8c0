package io.dcloud.cli.device;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dcloud.cli.common.ApiClient;
import io.dcloud.cli.common.CliException;
import io.dcloud.cli.common.ExitCodes;
import io.dcloud.cli.common.Problems;
import java.io.IOException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;

/**
 * Gets a simulated device its credentials through the API: registers it ({@code POST /devices}),
 * or, when it exists from an earlier run (409), rotates its secret
 * ({@code POST /devices/{id}/credentials}) — its old one is gone with the run that printed it.
 */
final class SimulatorRegistration {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final ApiClient client;
  private final String type;
  private final String site;
  private final String broker;

  SimulatorRegistration(ApiClient client, String type, String site, String broker) {
    this.client = client;
    this.type = type;
    this.site = site;
    this.broker = broker;
  }

  SimulatorCredentials credentials(String id) {
    ObjectNode body = JsonNodeFactory.instance.objectNode().put("id", id).put("type", type);
    body.putObject("location").put("site", site);
    body.putObject("metadata").put("simulated", "true");
    HttpResponse<String> created = client.send(client.request("/devices").header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body.toString(), StandardCharsets.UTF_8)).build(),
        HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    if (created.statusCode() == 409) {
      return rotated(id);
    }
    if (created.statusCode() / 100 != 2) {
      throw Problems.toException(created.statusCode(), created.body());
    }
    try {
      return of(JSON.readTree(created.body()).path("credentials"));
    } catch (IOException e) {
      throw new CliException(ExitCodes.ERROR, "POST /devices answered something that is not JSON: " + e.getMessage(), e);
    }
  }

  private SimulatorCredentials rotated(String id) {
    String path = "/devices/" + ApiClient.segment(id);
    // A device of another type under this name would get readings it rejects, every one of them.
    String existing = client.get(path).path("type").asText();
    if (!existing.equals(type)) {
      throw new CliException(ExitCodes.REFUSED,
          "device " + id + " exists with type " + existing + ", not " + type + ": choose another --prefix");
    }
    return of(client.post(path + "/credentials", null));
  }

  private SimulatorCredentials of(JsonNode credentials) {
    return new SimulatorCredentials(credentials.path("username").asText(), credentials.path("password").asText(), broker);
  }
}
