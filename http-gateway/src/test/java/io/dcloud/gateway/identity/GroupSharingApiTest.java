package io.dcloud.gateway.identity;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.dcloud.gateway.Api;
import io.dcloud.gateway.GatewayTestCluster;
import io.dcloud.gateway.Seeds;
import java.time.Duration;
import java.util.List;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Groups and sharing through the API: alice shares her environment with her lab; bob, a member,
 * sees it (and its feeds) but may not change it; carol, not a member, is told it does not exist;
 * and bob dropped from the lab is signed out, and then sees it no more.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class GroupSharingApiTest {
  private static final Duration REPLICATED = Duration.ofSeconds(10);

  private GatewayTestCluster cluster;
  private Api admin;

  @BeforeAll
  void start() throws Exception {
    cluster = new GatewayTestCluster("GroupSharingApiTest");
    admin = Api.admin(cluster.base);
    for (String name : List.of("alice", "bob", "carol")) {
      admin.createUser(name, "data-scientist");
    }
  }

  @AfterAll
  void stop() {
    cluster.close();
  }

  private Api signedIn(String name) {
    return new Api(cluster.base).signedIn(name);
  }

  @Test
  void groupsAreMadeByAdminsOfKnownUsersWithValidNames() {
    Api carol = signedIn("carol");
    carol.post("/api/v1/groups", Api.JSON, "{\"name\": \"carols\", \"members\": [\"carol\"]}").problem(403);
    Api.Answer unknown = admin.post("/api/v1/groups", Api.JSON, "{\"name\": \"lab-x\", \"members\": [\"nobody\"]}");
    assertThat(unknown.problem(422).path("detail").asText()).contains("nobody");
    assertThat(unknown.errorFields()).containsExactly("members");
    assertThat(admin.post("/api/v1/groups", Api.JSON, "{\"name\": \"Lab X\"}").errorFields()).containsExactly("name");
    assertThat(admin.post("/api/v1/groups", Api.JSON, "{\"name\": \"lab-x\", \"members\": [\"carol\", 7]}").errorFields())
        .containsExactly("members[1]");
    assertThat(admin.post("/api/v1/groups", Api.JSON, "{\"name\": \"lab-x\", \"members\": [\"carol\"]}").status())
        .isEqualTo(201);
    admin.post("/api/v1/groups", Api.JSON, "{\"name\": \"lab-x\"}").problem(409);
    admin.patch("/api/v1/groups/no-such-group", Api.JSON, "{\"members\": []}").problem(404);
    assertThat(admin.delete("/api/v1/groups/lab-x").status()).isEqualTo(204);
  }

  @Test
  void aMemberSeesASharedEnvironmentReadOnlyUntilDroppedFromTheGroup() {
    JsonNode lab = admin.post("/api/v1/groups", Api.JSON, "{\"name\": \"lab-a\", \"members\": [\"alice\", \"bob\"]}").json();
    assertThat(lab.path("members").toString()).isEqualTo("[\"alice\",\"bob\"]");
    Api alice = signedIn("alice");
    Api bob = signedIn("bob");
    Api carol = signedIn("carol");
    String id = alice.post("/api/v1/environments", Api.JSON, Seeds.debianEnvironment("shared")).json().path("id").asText();
    String path = "/api/v1/environments/" + id;

    assertThat(alice.put(path + "/sharing", Api.JSON, "{\"groups\": [\"lab-z\"]}").problem(422).path("detail").asText())
        .contains("lab-z");
    assertThat(carol.put(path + "/sharing", Api.JSON, "{\"groups\": [\"lab-a\"]}").status()).isEqualTo(404);
    Api.Answer shared = alice.put(path + "/sharing", Api.JSON, "{\"groups\": [\"lab-a\"]}");
    assertThat(shared.status()).as(shared.body()).isEqualTo(200);
    assertThat(shared.json().path("groups").toString()).isEqualTo("[\"lab-a\"]");

    assertThat(bob.get("/api/v1/users/me").json().path("groups").toString()).isEqualTo("[\"lab-a\"]");
    assertThat(bob.get(path).json().path("owner").asText()).isEqualTo("alice");
    assertThat(bob.get(path + "/sharing").json().path("groups").toString()).isEqualTo("[\"lab-a\"]");
    // No worker runs it: no container, no logs yet (the owner hears the same).
    assertThat(bob.get(path + "/logs?follow=false").status()).isEqualTo(409);
    assertThat(bob.get(path + "/dockerfile").status()).isEqualTo(200);
    Awaitility.await().atMost(REPLICATED).untilAsserted(() ->
        assertThat(bob.get("/api/v1/environments").ids("environments")).contains(id));
    // By owner: alice's as bob sees them (those shared with him), none of his own; an admin's look at hers.
    assertThat(bob.get("/api/v1/environments?owner=alice").ids("environments")).containsExactly(id);
    assertThat(bob.get("/api/v1/environments?owner=bob").ids("environments")).isEmpty();
    assertThat(carol.get("/api/v1/environments?owner=alice").ids("environments")).isEmpty();
    assertThat(admin.get("/api/v1/environments?owner=alice").ids("environments")).contains(id);
    assertThat(admin.get("/api/v1/environments?owner=carol").ids("environments")).doesNotContain(id);
    for (String change : List.of("/stop", "/start")) {
      assertThat(bob.postEmpty(path + change).problem(403).path("type").asText()).endsWith(":forbidden");
    }
    bob.delete(path).problem(403);
    bob.put(path + "/sharing", Api.JSON, "{\"groups\": []}").problem(403);

    carol.get(path).problem(404);
    carol.get(path + "/logs?follow=false").problem(404);
    assertThat(carol.get("/api/v1/environments").ids("environments")).doesNotContain(id);
    carol.get("/api/v1/groups/lab-a").problem(404);
    assertThat(carol.get("/api/v1/groups").json().path("groups").size()).isZero();
    assertThat(bob.get("/api/v1/groups/lab-a").status()).isEqualTo(200);

    assertThat(admin.patch("/api/v1/groups/lab-a", Api.JSON, "{\"members\": [\"alice\"]}").status()).isEqualTo(200);
    Awaitility.await().atMost(REPLICATED).untilAsserted(() -> bob.get(path).problem(401));
    Api bobAgain = signedIn("bob");
    bobAgain.get(path).problem(404);
    assertThat(bobAgain.get("/api/v1/environments").ids("environments")).doesNotContain(id);
    assertThat(alice.get(path).status()).as("alice is still a member, her session stands").isEqualTo(200);
  }

  /** What is shared with a group is shared with its name: a new group of a deleted one's name gets it only when asked. */
  @Test
  void aDeletedGroupsNameGoesToANewGroupOnlyWhenItIsToInheritWhatWasSharedWithIt() {
    admin.post("/api/v1/groups", Api.JSON, "{\"name\": \"lab-d\", \"members\": [\"alice\", \"carol\"]}");
    Api alice = signedIn("alice");
    String id = alice.post("/api/v1/environments", Api.JSON, Seeds.debianEnvironment("lab-ds")).json().path("id").asText();
    assertThat(alice.put("/api/v1/environments/" + id + "/sharing", Api.JSON, "{\"groups\": [\"lab-d\"]}").status())
        .isEqualTo(200);
    assertThat(admin.delete("/api/v1/groups/lab-d").status()).isEqualTo(204);

    Api.Answer again = admin.post("/api/v1/groups", Api.JSON, "{\"name\": \"lab-d\", \"members\": [\"carol\"]}");
    again.problem(409);
    assertThat(again.reasonFor("name")).contains("was deleted").contains("inheritDeleted");
    admin.get("/api/v1/groups/lab-d").problem(404);
    assertThat(admin.post("/api/v1/groups", Api.JSON,
        "{\"name\": \"lab-d\", \"members\": [\"carol\"], \"inheritDeleted\": true}").status()).isEqualTo(201);

    Awaitility.await().atMost(REPLICATED).untilAsserted(() ->
        assertThat(signedIn("carol").get("/api/v1/environments/" + id).status()).isEqualTo(200));
  }
}
