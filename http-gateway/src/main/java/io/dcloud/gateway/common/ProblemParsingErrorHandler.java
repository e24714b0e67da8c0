package io.dcloud.gateway.common;

import org.apache.pekko.event.LoggingAdapter;
import org.apache.pekko.http.ParsingErrorHandler;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.scaladsl.model.ErrorInfo;
import org.apache.pekko.http.scaladsl.model.StatusCode;
import org.apache.pekko.http.scaladsl.settings.ServerSettings;

/**
 * Answers requests so malformed that they never reach a route (a broken request line or URI, an
 * oversized header) with problem+json too. pekko-http instantiates it by class name (see
 * {@link io.dcloud.gateway.HttpGateway#start}); only the summary of the parse error is shown, never the input.
 */
public final class ProblemParsingErrorHandler extends ParsingErrorHandler {

  public ProblemParsingErrorHandler() {}

  @Override
  public HttpResponse handle(StatusCode status, ErrorInfo error, LoggingAdapter log, ServerSettings settings) {
    log.warning("Illegal request, responding with status '{}': {}", status, error.summary());
    return Problem.forStatus(status, error.summary()).toResponse();
  }
}
