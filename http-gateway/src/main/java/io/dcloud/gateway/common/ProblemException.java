package io.dcloud.gateway.common;

/**
 * Ends a request with a known problem from anywhere in a handler's asynchronous chain; the
 * gateway's exception handler answers it as is. No stack trace: it is a normal outcome, not a bug.
 */
public final class ProblemException extends RuntimeException {
  private final transient Problem problem;

  ProblemException(Problem problem) {
    super(problem.detail(), null, false, false);
    this.problem = problem;
  }

  public Problem problem() {
    return problem;
  }
}
