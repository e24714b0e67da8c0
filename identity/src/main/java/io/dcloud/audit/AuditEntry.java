package io.dcloud.audit;

import io.dcloud.serialization.CborSerializable;
import java.time.Instant;

/**
 * Who did what, when, from where, and how it ended: one state-changing request.
 *
 * @param action e.g. {@code login}, {@code user.create}, {@code catalog.replace}, {@code node.drain}
 * @param target what it acted on (a username, node id, template name), or null
 * @param address the client's address as the gateway saw it, or null
 * @param outcome {@code ok}, {@code denied}, {@code failed}
 */
public record AuditEntry(Instant at, String actor, String action, String target, String address, String outcome)
    implements CborSerializable {}
