package io.dcloud.gateway.environment;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/**
 * The answer to {@code POST /environments?dryRun=true}: the environment as it would be created —
 * {@code spec} as {@code GET /environments/{id}} shows it, the same in YAML (variable values hidden,
 * as there), the Dockerfile that would be built — and where the scheduler would place it now.
 */
record DryRunJson(JsonNode spec, String yaml, String dockerfile, Placement placement) {

  /** Always true, so a client that forgot the parameter cannot mistake this for a created environment. */
  @JsonProperty("dryRun")
  boolean dryRun() {
    return true;
  }

  /**
   * {@code outcome}: {@code fits} (placed on {@code node} with {@code gpus} at once), {@code queued}
   * (would wait for capacity), {@code never} (a create would be refused), or {@code unknown} (the
   * scheduler did not answer); {@code reason} says why in words.
   */
  record Placement(String outcome, String node, List<String> gpus, String reason) {
    static final String UNKNOWN = "unknown";
  }
}
