package io.dcloud.cli.node;

import com.fasterxml.jackson.databind.JsonNode;
import io.dcloud.cli.common.ByteSizes;
import io.dcloud.cli.common.EnvironmentTable;
import io.dcloud.cli.common.Table;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Environment volumes as {@code nodes volumes} and {@code volumes ls} print them. */
final class VolumeTable {
  private VolumeTable() {}

  /** {@code withNode}: volumes from several nodes, each row naming its own. */
  static Table of(Iterable<JsonNode> volumes, boolean withNode) {
    List<String> headers = new ArrayList<>(List.of("NAME", "STATE", "IN USE", "SIZE", "TARGET", "ENVIRONMENT", "OWNER", "STATUS",
        "MOUNTED BY", "CREATED"));
    if (withNode) {
      headers.add(1, "NODE");
    }
    Table table = new Table(headers.toArray(String[]::new));
    for (JsonNode volume : volumes) {
      JsonNode environment = volume.path("environment");
      // Arrays.asList: a cell may be null (a collected environment has no owner).
      List<Object> cells = new ArrayList<>(Arrays.asList(EnvironmentTable.text(volume, "name"),
          EnvironmentTable.text(volume, "state"), volume.path("inUse").asBoolean(),
          // What its files take on disk, as docker system df -v says it; "-" when the node's engine did not say.
          volume.path("usedBytes").isNumber() ? ByteSizes.of(volume.path("usedBytes").asDouble()) : "-",
          EnvironmentTable.text(volume, "target"),
          environment.isObject()
              ? EnvironmentTable.text(environment, "name") + " (" + EnvironmentTable.text(volume, "environmentId") + ")"
              : EnvironmentTable.text(volume, "environmentId") + " (collected)",
          EnvironmentTable.text(environment, "owner"), EnvironmentTable.text(environment, "status"),
          EnvironmentTable.text(volume, "mountedBy"), EnvironmentTable.text(volume, "createdAt")));
      if (withNode) {
        cells.add(1, EnvironmentTable.text(volume, "node"));
      }
      table.row(cells.toArray());
    }
    return table;
  }
}
