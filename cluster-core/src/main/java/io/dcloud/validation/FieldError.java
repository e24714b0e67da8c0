package io.dcloud.validation;

import io.dcloud.serialization.CborSerializable;

/** One reason a request was refused, naming the field in the contract's own spelling (e.g. {@code resources.ram}). */
public record FieldError(String field, String reason) implements CborSerializable {}
