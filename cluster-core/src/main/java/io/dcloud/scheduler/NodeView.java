package io.dcloud.scheduler;

import io.dcloud.node.NodeStatus;
import io.dcloud.resources.Resources;
import io.dcloud.serialization.CborSerializable;
import java.util.List;

/**
 * A node as operators see it: what it gossips, whether it takes new environments, and what the
 * scheduler has reserved on it. How many environments it holds, not which: a listing of every
 * node would otherwise carry every environment id of the cluster (about 4 MB at 100,000), on each
 * {@code GET /nodes}, metrics refresh and event-stream poll; the environments read side answers
 * which (by node).
 */
public record NodeView(
    NodeStatus status, NodeAvailability state, Resources reserved, List<String> gpusInUse, int environmentCount)
    implements CborSerializable {}
