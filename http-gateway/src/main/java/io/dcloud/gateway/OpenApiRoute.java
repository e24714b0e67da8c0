package io.dcloud.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dcloud.gateway.common.JsonYaml;
import java.io.IOException;
import java.io.InputStream;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.util.ByteString;

/**
 * {@code GET /openapi.json}, public like health: the API's OpenAPI description. It is the
 * hand-maintained {@code openapi.yaml} next to this class (OpenApiDocumentTest keeps it and the
 * routes in step), with the session cookie's and CSRF header's names as this gateway is configured.
 */
final class OpenApiRoute extends AllDirectives {
  static final String PATH = "openapi.json";
  private static final String RESOURCE = "openapi.yaml";

  private final HttpResponse answer;

  OpenApiRoute(JsonYaml codec, String sessionCookie, String csrfHeader) {
    JsonNode document = codec.read(JsonYaml.BodyFormat.YAML, ByteString.fromArray(resource()));
    ObjectNode schemes = (ObjectNode) document.path("components").path("securitySchemes");
    ((ObjectNode) schemes.path("sessionCookie")).put("name", sessionCookie);
    ((ObjectNode) schemes.path("csrfToken")).put("name", csrfHeader);
    // Rendered once: the document does not change while the gateway runs.
    this.answer = HttpResponse.create()
        .withStatus(StatusCodes.OK)
        .withEntity(HttpEntities.create(ContentTypes.APPLICATION_JSON, codec.toJson(document)));
  }

  public Route route() {
    return path(PATH, () -> get(() -> complete(answer)));
  }

  /** A gateway built without its description is a broken build: fail at start, not on the first request. */
  private static byte[] resource() {
    try (InputStream in = OpenApiRoute.class.getResourceAsStream(RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException("the gateway's " + RESOURCE + " is missing from its jar");
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new IllegalStateException("the gateway's " + RESOURCE + " could not be read", e);
    }
  }
}
