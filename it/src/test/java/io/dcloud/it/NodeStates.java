package io.dcloud.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Set;

/** What one node's {@code /nodes} says about another: that it is gone, or UP. */
final class NodeStates {
  private static final Set<String> GONE_STATES = Set.of("UNREACHABLE", "DOWN");

  private NodeStates() {}

  /** {@code asked}'s /nodes shows {@code gone} UNREACHABLE or DOWN, or no longer lists it. */
  static void assertNodeGone(Node asked, Node gone) {
    for (JsonNode node : asked.api.nodes()) {
      if (node.get("id").asText().equals(gone.id)) {
        assertThat(node.path("state").asText("<no state field>")).as("%s via %s: %s", gone.name, asked.name, node)
            .isIn(GONE_STATES);
      }
    }
  }

  /** {@code asked}'s /nodes lists {@code up} UP, its container runtime available. */
  static void assertNodeUpAndAvailable(Node asked, Node up) {
    for (JsonNode node : asked.api.nodes()) {
      if (node.get("id").asText().equals(up.id)) {
        assertThat(node.path("state").asText("<no state field>")).as("%s via %s: %s", up.name, asked.name, node)
            .isEqualTo("UP");
        assertThat(node.get("available").asBoolean()).as("runtime available: %s", node).isTrue();
        return;
      }
    }
    throw new AssertionError(up.name + " is not listed by " + asked.name);
  }
}
