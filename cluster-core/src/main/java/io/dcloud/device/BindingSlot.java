package io.dcloud.device;

import io.dcloud.serialization.CborSerializable;

/** What an app declares it consumes: between {@code min} and {@code max} devices of {@code type} per binding. */
public record BindingSlot(String type, int min, int max) implements CborSerializable {}
