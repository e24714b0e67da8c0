package io.dcloud.cli;

import com.fasterxml.jackson.databind.JsonNode;

/** Environments as rows: what {@code env ls} and {@code env get} print by default. */
final class EnvironmentTable {
  private EnvironmentTable() {}

  static Table of(Iterable<JsonNode> environments, boolean detailed) {
    Table table = detailed
        ? new Table("ID", "NAME", "STATUS", "OWNER", "NODE", "CPU", "RAM", "GPU", "CREATED", "URL", "REASON")
        : new Table("ID", "NAME", "STATUS", "OWNER", "NODE", "CPU", "RAM", "GPU", "CREATED");
    for (JsonNode e : environments) {
      JsonNode resources = e.path("resources");
      Object[] common = {
          text(e, "id"), text(e, "name"), text(e, "status"), text(e, "owner"), text(e, "node"),
          text(resources, "cpu"), text(resources, "ram"), text(resources, "gpu"), text(e, "createdAt")};
      if (detailed) {
        table.row(common[0], common[1], common[2], common[3], common[4], common[5], common[6], common[7], common[8],
            text(e, "url"), text(e, "reason"));
      } else {
        table.row(common);
      }
    }
    return table;
  }

  static String text(JsonNode node, String field) {
    JsonNode value = node.path(field);
    return value.isMissingNode() || value.isNull() ? null : value.asText();
  }
}
