package io.dcloud.cli.common;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class EnvironmentTableTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void portsReadAsDockerPsWritesThemWithTheContainersOwnAddressWhileItRuns() throws Exception {
    JsonNode ports = JSON.readTree("""
        [{"containerPort": 8000, "protocol": "tcp", "hostIp": "127.0.0.1", "hostPort": 49153, "containerAddress": "172.18.0.5"},
         {"containerPort": 9000, "protocol": "udp", "hostIp": "::1", "hostPort": 49154, "containerAddress": null},
         {"containerPort": 8888, "protocol": "tcp", "hostIp": null, "hostPort": null}]""");

    assertThat(EnvironmentTable.ports(ports))
        .isEqualTo("127.0.0.1:49153->172.18.0.5:8000/tcp,[::1]:49154->9000/udp,8888/tcp");
    assertThat(EnvironmentTable.ports(JSON.readTree("[]"))).isNull();
  }

  @Test
  void envGetShowsThePortsAndTheRestartsAndEnvLsTheRestarts() throws Exception {
    JsonNode environment = JSON.readTree("""
        {"id": "e1", "name": "nb", "status": "RUNNING", "owner": "alice", "node": "n1",
         "resources": {"cpu": "1", "ram": "1G", "gpu": 0}, "createdAt": "2026-12-05T05:00:00Z",
         "ports": [{"containerPort": 8888, "protocol": "tcp", "hostIp": "127.0.0.1", "hostPort": 49153, "containerAddress": "172.18.0.5"}],
         "url": "http://gw/api/v1/environments/e1/proxy/8888/", "restarts": 3}""");
    ByteArrayOutputStream printed = new ByteArrayOutputStream();
    EnvironmentTable.of(List.of(environment), true).print(new PrintStream(printed, true, StandardCharsets.UTF_8));

    List<String> lines = printed.toString(StandardCharsets.UTF_8).lines().toList();
    assertThat(lines.get(0)).containsSubsequence("CREATED", "PORTS", "URL", "RESTARTS", "REASON");
    assertThat(lines.get(1)).contains("127.0.0.1:49153->172.18.0.5:8888/tcp  http://gw/").containsPattern("/8888/  3 +-$");

    ByteArrayOutputStream listed = new ByteArrayOutputStream();
    EnvironmentTable.of(List.of(environment), false).print(new PrintStream(listed, true, StandardCharsets.UTF_8));
    List<String> rows = listed.toString(StandardCharsets.UTF_8).lines().toList();
    assertThat(rows.get(0)).endsWith("CREATED               RESTARTS  REASON");
    assertThat(rows.get(1)).endsWith("2026-12-05T05:00:00Z  3         -");
  }

  @Test
  void aRunningOneWhoseLimitsAreChangingSaysSoBesideItsStatus() throws Exception {
    JsonNode resizing = JSON.readTree("""
        {"id": "e1", "name": "nb", "status": "RUNNING", "owner": "alice", "resizing": true}""");
    JsonNode settled = JSON.readTree("""
        {"id": "e2", "name": "nb", "status": "RUNNING", "owner": "alice", "resizing": null}""");
    ByteArrayOutputStream listed = new ByteArrayOutputStream();
    EnvironmentTable.of(List.of(resizing, settled), false).print(new PrintStream(listed, true, StandardCharsets.UTF_8));

    List<String> lines = listed.toString(StandardCharsets.UTF_8).lines().toList();
    assertThat(lines.get(1)).startsWith("e1").contains("RUNNING (resizing)");
    assertThat(lines.get(2)).startsWith("e2").contains("RUNNING").doesNotContain("resizing");
  }

  @Test
  void envLsShowsTheReasonClippedAndEnvGetWhole() throws Exception {
    String why = "not ready: GET /ready answered 503 Service Unavailable after 2 tries";
    JsonNode environment = JSON.readTree("""
        {"id": "e1", "name": "app", "status": "RUNNING", "owner": "alice", "reason": "%s"}""".formatted(why));

    ByteArrayOutputStream listed = new ByteArrayOutputStream();
    EnvironmentTable.of(List.of(environment), false).print(new PrintStream(listed, true, StandardCharsets.UTF_8));
    String row = listed.toString(StandardCharsets.UTF_8).lines().toList().get(1);
    assertThat(row).as("no restarts: 0, though the API leaves the count out")
        .endsWith("0         " + why.substring(0, EnvironmentTable.LISTED_REASON - 1) + "…");

    ByteArrayOutputStream got = new ByteArrayOutputStream();
    EnvironmentTable.of(List.of(environment), true).print(new PrintStream(got, true, StandardCharsets.UTF_8));
    assertThat(got.toString(StandardCharsets.UTF_8).lines().toList().get(1)).endsWith("0         " + why);
    assertThat(EnvironmentTable.clipped("QUEUED: no node has 64 CPUs")).isEqualTo("QUEUED: no node has 64 CPUs");
  }

  @Test
  void envGetSaysAQueuedEnvironmentsPlaceInTheQueue() throws Exception {
    JsonNode queued = JSON.readTree("""
        {"id": "e2", "name": "big", "status": "QUEUED", "owner": "dana", "queuePosition": 2,
         "reason": "no node has room now: not enough free cpu (asks for 1.9 cores) on vm"}""");
    JsonNode running = JSON.readTree("""
        {"id": "e3", "name": "small", "status": "RUNNING", "owner": "dana", "queuePosition": 0}""");
    ByteArrayOutputStream got = new ByteArrayOutputStream();
    EnvironmentTable.of(List.of(queued, running), true).print(new PrintStream(got, true, StandardCharsets.UTF_8));

    List<String> rows = got.toString(StandardCharsets.UTF_8).lines().toList();
    assertThat(rows.get(1)).endsWith("on vm (queue position 2)");
    assertThat(rows.get(2)).endsWith("0         -");
  }
}
