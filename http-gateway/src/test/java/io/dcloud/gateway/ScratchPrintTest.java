package io.dcloud.gateway;

import org.junit.jupiter.api.Test;

class ScratchPrintTest {
  @Test
  void print() throws Exception {
    try (GatewayTestCluster cluster = new GatewayTestCluster("Scratch")) {
      Api api = new Api(cluster.base);
      Api.Answer created = api.post("/api/v1/environments", Api.JSON, Seeds.environmentJson());
      System.out.println("CREATE " + created.body());
      String id = created.json().path("id").asText();
      Thread.sleep(500);
      System.out.println("GET " + api.get("/api/v1/environments/" + id).body());
      System.out.println("MANIFEST " + api.get("/api/v1/environments/" + id + "/manifest?format=kubernetes").body());
      System.out.println("DOCKERFILE " + api.get("/api/v1/environments/" + id + "/dockerfile").body());
      System.out.println("BAD " + api.post("/api/v1/environments", Api.JSON, Seeds.environmentWith(c -> { c.put("os", "windows"); ((com.fasterxml.jackson.databind.node.ObjectNode) c.get("resources")).put("ram", "-1G"); })).body());
      System.out.println("MALFORMED " + api.post("/api/v1/environments", Api.YAML, "a: [b\nc: d").body());
      System.out.println("MALFORMEDJSON " + api.post("/api/v1/environments", Api.JSON, "{\"a\": tru }").body());
      System.out.println("415 " + api.post("/api/v1/environments", "text/plain", "x").body());
      System.out.println("405 " + api.method("PATCH", "/api/v1/environments").body());
      System.out.println("404 " + api.get("/api/v1/x").body());
      System.out.println("TEMPLATES " + api.get("/api/v1/templates").body());
      Thread.sleep(1000);
      System.out.println("LIST " + api.get("/api/v1/environments").body());
    }
  }
}
