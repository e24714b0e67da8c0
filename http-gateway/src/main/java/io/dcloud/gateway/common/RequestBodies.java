package io.dcloud.gateway.common;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import io.dcloud.gateway.common.JsonYaml.BodyFormat;
import java.util.Optional;
import java.util.function.Function;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Rejections;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.http.javadsl.unmarshalling.Unmarshaller;

/**
 * The directive behind every route that takes a document: checks the content type (415), reads the
 * body within the size limit set around the whole API (413), and parses it as JSON or YAML (400
 * naming line and column). Handlers only ever see a parsed tree.
 */
public final class RequestBodies extends AllDirectives {

  private final JsonYaml codec;

  public RequestBodies(JsonYaml codec) {
    this.codec = codec;
  }

  /** A document is required: an empty body is a 400 naming {@code body}. */
  public Route document(Function<JsonNode, Route> handler) {
    return read(body -> {
      if (body.isEmpty()) {
        return complete(Problem.of(
                Problem.Type.MALFORMED_REQUEST, "this request needs a body (JSON or YAML)", "body",
                "is required: send a JSON or YAML document")
            .toResponse());
      }
      return handler.apply(body.get());
    });
  }

  /** A document may be sent; an empty body gives a {@link MissingNode}. */
  public Route optionalDocument(Function<JsonNode, Route> handler) {
    return read(body -> handler.apply(body.orElse(MissingNode.getInstance())));
  }

  private Route read(Function<Optional<JsonNode>, Route> handler) {
    return extractRequestEntity(entity -> {
      if (entity.isKnownEmpty()) {
        return handler.apply(Optional.empty());
      }
      Optional<BodyFormat> format = BodyFormat.of(entity.getContentType().mediaType());
      if (format.isEmpty()) {
        return reject(Rejections.unsupportedRequestContentType(BodyFormat.accepted(), Optional.of(entity.getContentType())));
      }
      return entity(Unmarshaller.entityToByteString(), bytes -> {
        JsonNode root;
        try {
          root = codec.read(format.get(), bytes);
        } catch (ProblemException malformed) {
          return complete(malformed.problem().toResponse());
        }
        return handler.apply(root.isMissingNode() ? Optional.empty() : Optional.of(root));
      });
    });
  }
}
