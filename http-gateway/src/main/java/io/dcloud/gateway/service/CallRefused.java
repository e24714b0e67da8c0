package io.dcloud.gateway.service;

import io.dcloud.gateway.common.Problem;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.headers.RetryAfter;

/**
 * A service call the gateway answers itself (429, 503, 502, 504): its problem, and the Retry-After
 * (seconds, 0 for none) that tells a shed or unserved client when to come back.
 */
final class CallRefused extends RuntimeException {
  private final transient Problem problem;
  private final long retryAfterSeconds;

  CallRefused(Problem problem, long retryAfterSeconds) {
    super(problem.detail(), null, false, false);
    this.problem = problem;
    this.retryAfterSeconds = retryAfterSeconds;
  }

  Problem problem() {
    return problem;
  }

  HttpResponse toResponse() {
    HttpResponse response = problem.toResponse();
    return retryAfterSeconds > 0 ? response.addHeader(RetryAfter.create(retryAfterSeconds)) : response;
  }
}
