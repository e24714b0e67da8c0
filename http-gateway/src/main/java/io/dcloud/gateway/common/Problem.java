package io.dcloud.gateway.common;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dcloud.validation.FieldError;
import java.util.List;
import org.apache.pekko.http.javadsl.model.ContentType;
import org.apache.pekko.http.javadsl.model.HttpCharsets;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.MediaTypes;
import org.apache.pekko.http.javadsl.model.StatusCode;
import org.apache.pekko.http.javadsl.model.StatusCodes;

/**
 * An RFC 9457 problem: the body of every answer that is not 2xx. {@code errors} names each field at
 * fault in the contract's spelling ({@code resources.ram}, {@code port-publish[1].internal.ports}),
 * or a request part ({@code body}, {@code content-type}, a query parameter); it is empty, never
 * absent, when no single field is to blame.
 */
public record Problem(String type, String title, int status, String detail, List<FieldError> errors) {

  static final ContentType.WithFixedCharset CONTENT_TYPE =
      MediaTypes.applicationWithFixedCharset("problem+json", HttpCharsets.UTF_8).toContentType();

  /** Problems hold only strings and numbers: a plain mapper renders them without an actor system. */
  private static final ObjectMapper MAPPER = new ObjectMapper();

  /** The kinds of problem the API answers with; {@code type} is {@code urn:dcloud:problem:<slug>}. */
  public enum Type {
    MALFORMED_REQUEST("malformed-request", "The request could not be read", StatusCodes.BAD_REQUEST),
    VALIDATION_FAILED("validation-failed", "The request is not valid", StatusCodes.UNPROCESSABLE_ENTITY),
    NOT_FOUND("not-found", "Not found", StatusCodes.NOT_FOUND),
    ROUTE_NOT_FOUND("route-not-found", "No such resource", StatusCodes.NOT_FOUND),
    METHOD_NOT_ALLOWED("method-not-allowed", "Method not allowed", StatusCodes.METHOD_NOT_ALLOWED),
    UNSCHEDULABLE("unschedulable", "No node of the cluster could ever run this", StatusCodes.UNPROCESSABLE_ENTITY),
    CONFLICT("conflict", "Conflict with the current state", StatusCodes.CONFLICT),
    BODY_TOO_LARGE("body-too-large", "Request body too large", StatusCodes.PAYLOAD_TOO_LARGE),
    UNSUPPORTED_MEDIA_TYPE("unsupported-media-type", "Unsupported media type", StatusCodes.UNSUPPORTED_MEDIA_TYPE),
    CLUSTER_UNAVAILABLE("cluster-unavailable", "The cluster did not answer in time", StatusCodes.SERVICE_UNAVAILABLE),
    TOO_MANY_CREATES("too-many-creates", "Too many creates in progress", StatusCodes.TOO_MANY_REQUESTS),
    UNAUTHENTICATED("unauthenticated", "Sign in first", StatusCodes.UNAUTHORIZED),
    FORBIDDEN("forbidden", "Not allowed for your roles", StatusCodes.FORBIDDEN),
    CSRF("csrf-token-missing", "The session's CSRF token is missing or wrong", StatusCodes.FORBIDDEN),
    QUOTA_EXCEEDED("quota-exceeded", "This would exceed your quota", StatusCodes.FORBIDDEN),
    TOO_MANY_FOLLOWS("too-many-log-follows", "The node follows too many logs", StatusCodes.TOO_MANY_REQUESTS),
    TOO_MANY_LOGINS("too-many-logins", "Too many failed sign-ins", StatusCodes.TOO_MANY_REQUESTS),
    TOO_MANY_SESSIONS("too-many-sessions", "The node runs too many shells or file transfers", StatusCodes.TOO_MANY_REQUESTS),
    INTERNAL_ERROR("internal-error", "Internal server error", StatusCodes.INTERNAL_SERVER_ERROR),
    /** The proxy could not reach the environment's port on its node (nothing listens there yet, say). */
    UNREACHABLE("environment-unreachable", "The environment did not answer", StatusCodes.BAD_GATEWAY),
    /** More calls of one service are outstanding at this gateway than dcloud.services.routing.max-queue. */
    SERVICE_BUSY("service-busy", "The service has too many calls in progress", StatusCodes.TOO_MANY_REQUESTS),
    /** None of the service's replicas is ready (all starting, or none left). */
    NO_READY_REPLICA("no-ready-replica", "No replica of the service is ready", StatusCodes.SERVICE_UNAVAILABLE),
    /** The replica could not be reached, and the call could not be tried on another. */
    REPLICA_UNREACHABLE("replica-unreachable", "The service's replica did not answer", StatusCodes.BAD_GATEWAY),
    /** No answer within dcloud.services.routing.request-timeout. */
    SERVICE_TIMEOUT("service-timeout", "The service did not answer in time", StatusCodes.GATEWAY_TIMEOUT),
    /** A listing's continue token names a place that is gone (collected meanwhile): list from the start again. */
    CONTINUE_EXPIRED("continue-expired", "The listing's place is gone", StatusCodes.GONE),
    /** Whatever HTTP status pekko-http chose for a rejection or a request it could not parse. */
    HTTP("http-error", null, null);

    private final String slug;
    private final String title;
    private final StatusCode status;

    Type(String slug, String title, StatusCode status) {
      this.slug = slug;
      this.title = title;
      this.status = status;
    }

    public String uri() {
      return "urn:dcloud:problem:" + slug;
    }
  }

  public static Problem of(Type type, String detail) {
    return of(type, detail, List.of());
  }

  public static Problem of(Type type, String detail, List<FieldError> errors) {
    return new Problem(type.uri(), type.title, type.status.intValue(), detail, List.copyOf(errors));
  }

  public static Problem of(Type type, String detail, String field, String reason) {
    return of(type, detail, List.of(new FieldError(field, reason)));
  }

  /** A problem for a status pekko-http decided on (its reason phrase becomes the title). */
  public static Problem forStatus(StatusCode status, String detail) {
    String title = status.reason().isEmpty() ? "HTTP " + status.intValue() : status.reason();
    return new Problem(Type.HTTP.uri(), title, status.intValue(), detail, List.of());
  }

  /** Every field error of a failed validation, as one 422. */
  public static Problem invalid(List<FieldError> errors) {
    String detail = errors.size() == 1
        ? "1 field is not valid: " + errors.get(0).field()
        : errors.size() + " fields are not valid: see errors";
    return of(Type.VALIDATION_FAILED, detail, errors);
  }

  public static Problem notFound(String what) {
    return of(Type.NOT_FOUND, what + " was not found");
  }

  public static Problem conflict(String reason) {
    return of(Type.CONFLICT, reason);
  }

  public ProblemException exception() {
    return new ProblemException(this);
  }

  public HttpResponse toResponse() {
    return HttpResponse.create()
        .withStatus(status)
        .withEntity(HttpEntities.create(CONTENT_TYPE, toJson()));
  }

  byte[] toJson() {
    try {
      return MAPPER.writeValueAsBytes(this);
    } catch (JsonProcessingException e) {
      // Strings and ints always serialize; this is unreachable, but never answer without a body.
      return ("{\"status\":" + status + "}").getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }
  }
}
