package io.dcloud.cli.common;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;

/**
 * Environments as rows: what {@code env ls} and {@code env get} print by default. RESTARTS are those
 * its restart policy made since it was created or started by hand, as {@code kubectl get pods}
 * counts and lists them. {@code env ls} shows the REASON clipped to {@value #LISTED_REASON} characters, as
 * {@code kubectl get pods} gives a waiting pod's reason in a word: a why as long as a probe's answer
 * would widen every row; {@code env get} gives it whole.
 */
public final class EnvironmentTable {
  static final int LISTED_REASON = 48;

  private EnvironmentTable() {}

  public static Table of(Iterable<JsonNode> environments, boolean detailed) {
    Table table = detailed
        ? new Table("ID", "NAME", "STATUS", "OWNER", "NODE", "CPU", "RAM", "GPU", "CREATED", "PORTS", "URL", "RESTARTS", "REASON")
        : new Table("ID", "NAME", "STATUS", "OWNER", "NODE", "CPU", "RAM", "GPU", "CREATED", "RESTARTS", "REASON");
    for (JsonNode e : environments) {
      JsonNode resources = e.path("resources");
      Object[] common = {
          text(e, "id"), text(e, "name"), status(e), text(e, "owner"), text(e, "node"),
          text(resources, "cpu"), text(resources, "ram"), text(resources, "gpu"), text(e, "createdAt")};
      if (detailed) {
        table.row(common[0], common[1], common[2], common[3], common[4], common[5], common[6], common[7], common[8],
            ports(e.path("ports")), text(e, "url"), restarts(e), reasonInQueue(e));
      } else {
        table.row(common[0], common[1], common[2], common[3], common[4], common[5], common[6], common[7], common[8],
            restarts(e), clipped(text(e, "reason")));
      }
    }
    return table;
  }

  /**
   * As {@code docker ps} writes them ({@code 127.0.0.1:49153->8000/tcp}), with the container's own
   * address while it runs ({@code 127.0.0.1:49153->172.18.0.5:8000/tcp}); a port not published yet
   * is {@code 8000/tcp}. Null when there are none.
   */
  static String ports(JsonNode ports) {
    List<String> written = new ArrayList<>();
    for (JsonNode port : ports) {
      String inside = (port.hasNonNull("containerAddress") ? bracketed(port.get("containerAddress").asText()) + ":" : "")
          + port.path("containerPort").asText() + "/" + port.path("protocol").asText("tcp");
      written.add(port.hasNonNull("hostPort")
          ? (port.hasNonNull("hostIp") ? bracketed(port.get("hostIp").asText()) + ":" : "") + port.get("hostPort").asText()
              + "->" + inside
          : inside);
    }
    return written.isEmpty() ? null : String.join(",", written);
  }

  /** The reason, and while it waits its place in the scheduler's queue (1: the next to be placed), as Slurm's squeue gives it. */
  private static String reasonInQueue(JsonNode environment) {
    String reason = text(environment, "reason");
    JsonNode position = environment.path("queuePosition");
    if (!"QUEUED".equals(text(environment, "status")) || !position.isInt() || position.asInt() < 1) {
      return reason;
    }
    return (reason == null ? "" : reason + " ") + "(queue position " + position.asInt() + ")";
  }

  /** Its status, with "(resizing)" while its node changes its running container's limits, as {@code docker ps} adds "(healthy)". */
  private static String status(JsonNode environment) {
    String status = text(environment, "status");
    return environment.path("resizing").asBoolean(false) ? status + " (resizing)" : status;
  }

  /** 0 when it has not restarted (the API leaves the count out then), as kubectl's RESTARTS says. */
  private static int restarts(JsonNode environment) {
    return environment.path("restarts").asInt(0);
  }

  static String clipped(String reason) {
    return Table.clipped(reason, LISTED_REASON);
  }

  private static String bracketed(String address) {
    return address.contains(":") ? "[" + address + "]" : address;
  }

  public static String text(JsonNode node, String field) {
    JsonNode value = node.path(field);
    return value.isMissingNode() || value.isNull() ? null : value.asText();
  }
}
