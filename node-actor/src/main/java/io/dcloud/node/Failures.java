package io.dcloud.node;

import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/** What the node tells environments and operators about a failure: its cause, not the future's wrapper. */
final class Failures {
  private Failures() {}

  static String rootMessage(Throwable failure) {
    Throwable cause = failure;
    while (cause.getCause() != null && (cause instanceof CompletionException || cause instanceof ExecutionException)) {
      cause = cause.getCause();
    }
    return cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
  }
}
