package io.dcloud.cli;

/** One Server-Sent Event: its id (may be null), its name ({@code message} when unnamed) and its data. */
record SseEvent(String id, String event, String data) {}
