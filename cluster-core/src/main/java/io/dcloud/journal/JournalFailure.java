package io.dcloud.journal;

/**
 * An event-sourced actor could not recover or persist (published on the event stream by the
 * entities, of which there may be a hundred thousand: {@link OverloadReport} logs them counted).
 */
public record JournalFailure(String actorKind, String cause) {}
