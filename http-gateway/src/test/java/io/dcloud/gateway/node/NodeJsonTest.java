package io.dcloud.gateway.node;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.dcloud.node.NodeStatus;
import io.dcloud.resources.Resources;
import io.dcloud.scheduler.NodeAvailability;
import io.dcloud.scheduler.NodeView;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A node as configurers see it, and the summary everyone else gets (nothing of other users'). */
class NodeJsonTest {
  private static final Instant NOW = Instant.parse("2026-11-30T12:00:00Z");
  private static final ObjectMapper MAPPER = new ObjectMapper().registerModule(new JavaTimeModule());

  private static NodeJson node() {
    NodeStatus status = new NodeStatus("n1", "gpu-box-7.lab", new Resources(8000, 32L << 30, 1, 100L << 30, null),
        List.of(), NodeStatus.Usage.NONE, Map.of("zone", "a"), true, "24.0.7", "none", NOW, "pekko://dcloud@n1",
        List.of("someone/elses/data@2"));
    return NodeJson.of(new NodeView(status, NodeAvailability.UP, new Resources(1000, 1L << 30, 0, 0, null),
        List.of("GPU-1"), 3), NOW);
  }

  @Test
  void configurersSeeTheHostAndWhatRunsThere() {
    JsonNode full = MAPPER.valueToTree(node());
    assertThat(full.path("host").asText()).isEqualTo("gpu-box-7.lab");
    assertThat(full.path("environmentCount").asInt()).isEqualTo(3);
    assertThat(full.has("environments")).as("no ids: a listing of every node would carry the cluster's every id").isFalse();
    assertThat(full.path("gpusInUse")).hasSize(1);
    assertThat(full.path("datasets").get(0).asText()).isEqualTo("someone/elses/data@2");
  }

  @Test
  void everyoneElseSeesCapacityAndReservationsButNoHostNorOthersEnvironments() {
    JsonNode summary = MAPPER.valueToTree(node().summary());
    assertThat(summary.has("host")).isFalse();
    assertThat(summary.has("environmentCount")).isFalse();
    assertThat(summary.has("gpusInUse")).isFalse();
    assertThat(summary.has("datasets")).isFalse();
    assertThat(summary.path("runtime").path("error").isNull()).isTrue();
    assertThat(summary.path("capacity").path("cpus").asDouble()).isEqualTo(8.0);
    assertThat(summary.path("reserved").path("cpus").asDouble()).isEqualTo(1.0);
    assertThat(summary.path("labels").path("zone").asText()).isEqualTo("a");
  }
}
