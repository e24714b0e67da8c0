package io.dcloud.cli.common;

/** One Server-Sent Event: its id (may be null), its name ({@code message} when unnamed) and its data. */
public record SseEvent(String id, String event, String data) {}
