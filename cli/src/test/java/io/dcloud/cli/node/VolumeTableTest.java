package io.dcloud.cli.node;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class VolumeTableTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void aCollectedEnvironmentsVolumeAndOneMountedAgainPrintWithTheirNodes() throws Exception {
    JsonNode volumes = JSON.readTree("""
        [{"name": "dcloud-n1-e1-0", "node": "n1", "target": "/data", "inUse": false, "state": "ORPHANED",
          "usedBytes": 1572864, "environmentId": "e1", "environment": null, "mountedBy": null, "createdAt": null},
         {"name": "dcloud-n2-e2-0", "node": "n2", "target": "/work", "inUse": true, "state": "ATTACHED",
          "environmentId": "e2", "environment": {"name": "nb", "owner": "ada", "status": "DELETED", "node": "n2"},
          "mountedBy": "e3", "createdAt": "2026-12-05T10:00:00Z"}]""");

    String printed = print(VolumeTable.of(volumes, true));

    assertThat(printed.lines().findFirst().orElseThrow()).startsWith("NAME").contains("NODE", "SIZE", "MOUNTED BY");
    assertThat(printed).as("a size the engine said, and one it did not").contains("1.5 MiB", " - ");
    assertThat(printed).contains("e1 (collected)", "n1", "nb (e2)", "ada", "e3", "n2");
    assertThat(print(VolumeTable.of(volumes, false)).lines().findFirst().orElseThrow()).doesNotContain("NODE");
  }

  private static String print(io.dcloud.cli.common.Table table) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    table.print(new PrintStream(out, true, StandardCharsets.UTF_8));
    return out.toString(StandardCharsets.UTF_8);
  }
}
