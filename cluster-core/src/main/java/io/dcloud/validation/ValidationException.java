package io.dcloud.validation;

import java.util.List;
import java.util.stream.Collectors;

/** Thrown by parsers and validators; the gateway turns it into a 400/422 problem+json listing every field error. */
public final class ValidationException extends RuntimeException {
  private final List<FieldError> errors;

  public ValidationException(List<FieldError> errors) {
    super(errors.stream().map(e -> e.field() + ": " + e.reason()).collect(Collectors.joining("; ")));
    this.errors = List.copyOf(errors);
  }

  public static ValidationException of(String field, String reason) {
    return new ValidationException(List.of(new FieldError(field, reason)));
  }

  public List<FieldError> errors() {
    return errors;
  }
}
