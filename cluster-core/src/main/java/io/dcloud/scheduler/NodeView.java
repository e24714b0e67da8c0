package io.dcloud.scheduler;

import io.dcloud.node.NodeStatus;
import io.dcloud.resources.Resources;
import io.dcloud.serialization.CborSerializable;
import java.util.List;

/**
 * A node as operators see it: what it gossips, whether it takes new environments, and what the
 * scheduler has reserved on it.
 */
public record NodeView(
    NodeStatus status, NodeAvailability state, Resources reserved, List<String> gpusInUse, List<String> environments)
    implements CborSerializable {}
