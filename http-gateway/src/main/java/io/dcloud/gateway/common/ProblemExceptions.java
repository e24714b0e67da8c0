package io.dcloud.gateway.common;

import static org.apache.pekko.http.javadsl.server.Directives.complete;
import static org.apache.pekko.http.javadsl.server.Directives.extractRequest;

import io.dcloud.validation.ValidationException;
import java.time.Duration;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import org.apache.pekko.http.javadsl.server.ExceptionHandler;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.http.scaladsl.model.EntityStreamSizeException;
import org.apache.pekko.http.scaladsl.model.ExceptionWithErrorInfo;
import org.apache.pekko.http.scaladsl.model.IllegalHeaderException;
import org.apache.pekko.http.scaladsl.model.IllegalRequestException;
import org.apache.pekko.http.scaladsl.model.IllegalUriException;
import org.apache.pekko.pattern.AskTimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Answers every exception a route or its asynchronous chain ends with. Known outcomes (a problem,
 * a validation failure, a cluster that did not answer) become their problem; anything else is a
 * bug: logged with the request, answered 500 without internals.
 */
public final class ProblemExceptions {
  private static final Logger log = LoggerFactory.getLogger(ProblemExceptions.class);

  private ProblemExceptions() {}

  public static ExceptionHandler handler(Duration askTimeout) {
    return ExceptionHandler.newBuilder().matchAny(thrown -> answer(unwrap(thrown), askTimeout)).build();
  }

  private static Route answer(Throwable failure, Duration askTimeout) {
    if (isTimeout(failure)) {
      return extractRequest(request -> {
        log.warn("{} {}: the cluster did not answer within {}", request.method().name(), request.getUri().path(),
            GatewaySettings.describe(askTimeout));
        return complete(known(failure, askTimeout).toResponse());
      });
    }
    Problem known = known(failure, askTimeout);
    if (known != null) {
      return complete(known.toResponse());
    }
    if (failure instanceof EntityStreamSizeException tooLarge) {
      return complete(ProblemRejections.tooLarge(tooLarge.limit()).toResponse());
    }
    if (failure instanceof IllegalRequestException illegal) {
      return complete(Problem.forStatus(illegal.status(), illegal.info().summary()).toResponse());
    }
    if (failure instanceof IllegalUriException || failure instanceof IllegalHeaderException) {
      // pekko-http parses the query string and some headers lazily, when a route first reads them.
      String summary = ((ExceptionWithErrorInfo) failure).info().summary();
      return complete(Problem.of(Problem.Type.MALFORMED_REQUEST, summary).toResponse());
    }
    return extractRequest(request -> {
      log.error("{} {} failed unexpectedly", request.method().name(), request.getUri(), failure);
      return complete(Problem.of(
              Problem.Type.INTERNAL_ERROR, "the gateway failed to answer this request; the failure was logged")
          .toResponse());
    });
  }

  /**
   * The problem of a known outcome: a problem, a validation failure, a cluster that did not answer;
   * null for anything else (a bug). {@code failure} is unwrapped first.
   */
  public static Problem known(Throwable failure, Duration askTimeout) {
    Throwable cause = unwrap(failure);
    if (cause instanceof ProblemException problem) {
      return problem.problem();
    }
    if (cause instanceof ValidationException invalid) {
      return Problem.invalid(invalid.errors());
    }
    if (isTimeout(cause)) {
      return Problem.of(Problem.Type.CLUSTER_UNAVAILABLE,
          "the cluster did not answer within " + GatewaySettings.describe(askTimeout) + "; try again");
    }
    return null;
  }

  /** Whether an asynchronous stage failed because the cluster did not answer in time. */
  public static boolean timedOut(Throwable thrown) {
    return isTimeout(unwrap(thrown));
  }

  private static boolean isTimeout(Throwable failure) {
    return failure instanceof TimeoutException || failure instanceof AskTimeoutException;
  }

  /** Asynchronous stages wrap what went wrong; the cause is what the client should hear about. */
  public static Throwable unwrap(Throwable thrown) {
    Throwable current = thrown;
    while ((current instanceof CompletionException || current instanceof ExecutionException)
        && current.getCause() != null) {
      current = current.getCause();
    }
    return current;
  }
}
