package io.dcloud.identity;

import io.dcloud.serialization.CborSerializable;
import java.time.Instant;
import java.util.Set;

/**
 * A group of built-in users (a lab, a project): environments shared with it are visible to its
 * members, read-only. Members are usernames of the registry; a deleted user leaves every group.
 */
public record Group(String name, Set<String> members, Instant createdAt) implements CborSerializable {}
