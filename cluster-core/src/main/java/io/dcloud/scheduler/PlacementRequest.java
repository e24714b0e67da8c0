package io.dcloud.scheduler;

import io.dcloud.environment.Resources;
import io.dcloud.serialization.CborSerializable;
import java.util.Map;

/** What the scheduler must find room for: resources plus hard constraints on node labels. */
public record PlacementRequest(String environmentId, Resources resources, Map<String, String> constraints)
    implements CborSerializable {}
