package io.dcloud.gateway.common;

import static org.apache.pekko.http.javadsl.server.Directives.complete;
import static org.apache.pekko.http.javadsl.server.Directives.extractRequest;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.stream.Collectors;
import org.apache.pekko.http.javadsl.model.HttpEntity;
import org.apache.pekko.http.javadsl.model.HttpMethod;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.headers.Allow;
import org.apache.pekko.http.javadsl.server.MalformedQueryParamRejection;
import org.apache.pekko.http.javadsl.server.MalformedRequestContentRejection;
import org.apache.pekko.http.javadsl.server.MethodRejection;
import org.apache.pekko.http.javadsl.server.MissingQueryParamRejection;
import org.apache.pekko.http.javadsl.server.RejectionHandler;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.http.javadsl.server.UnsupportedRequestContentTypeRejection;
import org.apache.pekko.http.javadsl.server.ValidationRejection;
import org.apache.pekko.http.scaladsl.model.EntityStreamSizeException;

/**
 * Answers pekko-http's rejections as problem+json. The common ones get a problem naming the field
 * at fault; anything else falls back to pekko-http's own handler, whose status and headers are kept
 * and whose plain-text message becomes the problem's detail.
 */
public final class ProblemRejections {

  private ProblemRejections() {}

  public static RejectionHandler handler() {
    RejectionHandler specific = RejectionHandler.newBuilder()
        .handle(MalformedRequestContentRejection.class, ProblemRejections::malformedContent)
        .handle(UnsupportedRequestContentTypeRejection.class, ProblemRejections::unsupportedContentType)
        .handle(MalformedQueryParamRejection.class, r -> complete(Problem.of(
                Problem.Type.MALFORMED_REQUEST, "query parameter " + r.parameterName() + " is malformed",
                r.parameterName(), r.errorMsg())
            .toResponse()))
        .handle(MissingQueryParamRejection.class, r -> complete(Problem.of(
                Problem.Type.MALFORMED_REQUEST, "query parameter " + r.parameterName() + " is required",
                r.parameterName(), "is required")
            .toResponse()))
        .handle(ValidationRejection.class, r -> complete(
            Problem.of(Problem.Type.MALFORMED_REQUEST, r.message()).toResponse()))
        .handleAll(MethodRejection.class, ProblemRejections::methodNotAllowed)
        .handleNotFound(extractRequest(request -> complete(Problem.of(
                Problem.Type.ROUTE_NOT_FOUND,
                "there is no " + request.method().name() + " " + request.getUri().path() + " in this API")
            .toResponse())))
        .build();
    return specific.withFallback(RejectionHandler.defaultHandler().mapRejectionResponse(ProblemRejections::asProblem));
  }

  private static Route malformedContent(MalformedRequestContentRejection rejection) {
    if (rejection.getCause() instanceof EntityStreamSizeException tooLarge) {
      return complete(tooLarge(tooLarge.limit()).toResponse());
    }
    return complete(Problem.of(Problem.Type.MALFORMED_REQUEST, "the body could not be read", "body", rejection.message())
        .toResponse());
  }

  static Problem tooLarge(long limitBytes) {
    return Problem.of(
        Problem.Type.BODY_TOO_LARGE, "the body is larger than the " + limitBytes + " bytes this API accepts", "body",
        "must be at most " + limitBytes + " bytes");
  }

  private static Route unsupportedContentType(UnsupportedRequestContentTypeRejection rejection) {
    String accepted = rejection.getSupported().stream().map(Object::toString).sorted().collect(Collectors.joining(", "));
    return extractRequest(request -> {
      String given = request.entity().getContentType().mediaType().toString();
      return complete(Problem.of(
              Problem.Type.UNSUPPORTED_MEDIA_TYPE, "a body of type " + given + " cannot be read here",
              "content-type", given + " is not accepted: use one of " + accepted)
          .toResponse());
    });
  }

  private static Route methodNotAllowed(List<MethodRejection> rejections) {
    HttpMethod[] allowed = rejections.stream().map(MethodRejection::supported).distinct().toArray(HttpMethod[]::new);
    String names = java.util.Arrays.stream(allowed).map(HttpMethod::name).collect(Collectors.joining(", "));
    return extractRequest(request -> {
      HttpResponse response = Problem.of(
              Problem.Type.METHOD_NOT_ALLOWED,
              request.method().name() + " is not allowed on " + request.getUri().path() + ": use " + names)
          .toResponse();
      return complete(response.addHeader(Allow.create(allowed)));
    });
  }

  /** pekko-http's default answer (status, headers, a line of text) turned into a problem. */
  private static HttpResponse asProblem(HttpResponse response) {
    String detail = response.entity() instanceof HttpEntity.Strict strict
        ? strict.getData().decodeString(StandardCharsets.UTF_8)
        : response.status().reason();
    Problem problem = Problem.forStatus(response.status(), detail.isBlank() ? response.status().reason() : detail);
    return response.withEntity(problem.toResponse().entity());
  }
}
