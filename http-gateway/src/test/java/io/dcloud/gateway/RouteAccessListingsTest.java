package io.dcloud.gateway;

import static io.dcloud.gateway.RouteAccessCaller.ADMIN;
import static io.dcloud.gateway.RouteAccessCaller.APP_DEVELOPER;
import static io.dcloud.gateway.RouteAccessCaller.CONFIGURER;
import static io.dcloud.gateway.RouteAccessCaller.DATA_SCIENTIST;
import static io.dcloud.gateway.RouteAccessCaller.END_USER;
import static io.dcloud.gateway.RouteAccessCaller.OTHER_DATA_SCIENTIST;
import static io.dcloud.gateway.RouteAccessWorld.BUILT_IN;
import static io.dcloud.gateway.RouteAccessWorld.LAB;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.List;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * What the lists show whom, in {@link RouteAccessWorld}: another user's environment or template is
 * never listed to them (as {@link RouteAccessMatrixTest} finds it answers 404), unless shared with a
 * group of theirs; admins see everyone's, with its owner.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RouteAccessListingsTest {
  private static final Duration READ_SIDE_WAIT = Duration.ofSeconds(10);

  private RouteAccessWorld world;

  @BeforeAll
  void start() throws Exception {
    world = new RouteAccessWorld("RouteAccessListingsTest");
  }

  @AfterAll
  void stop() {
    world.close();
  }

  @Test
  void anotherUsersEnvironmentNeverAppearsInTheirListButTheAdminsShowsItsOwner() {
    Awaitility.await().atMost(READ_SIDE_WAIT).untilAsserted(() -> {
      JsonNode all = world.as(ADMIN).get("/api/v1/environments").json().path("environments");
      JsonNode listed = byId(all, world.environment);
      assertThat(listed).as("the admin's list: %s", all).isNotNull();
      assertThat(listed.path("owner").asText()).isEqualTo("alice");
      assertThat(world.as(DATA_SCIENTIST).get("/api/v1/environments").ids("environments")).contains(world.environment);
    });
    for (RouteAccessCaller who : List.of(OTHER_DATA_SCIENTIST, APP_DEVELOPER, CONFIGURER, END_USER)) {
      JsonNode listing = world.as(who).get("/api/v1/environments").json();
      assertThat(Api.ids(listing.path("environments"))).as("%s sees %s", who, listing).doesNotContain(world.environment);
      listing.path("environments").forEach(e -> {
        if (!e.path("owner").asText().equals(who.username)) {
          // bob's list has alice's environments shared with their group, and only those.
          assertThat(who).isEqualTo(OTHER_DATA_SCIENTIST);
          JsonNode sharing = world.as(who).get("/api/v1/environments/" + e.path("id").asText() + "/sharing").json();
          assertThat(sharing.path("groups").toString()).isEqualTo("[\"" + LAB + "\"]");
        }
      });
    }
    Awaitility.await().atMost(READ_SIDE_WAIT).untilAsserted(() ->
        assertThat(world.as(OTHER_DATA_SCIENTIST).get("/api/v1/environments").ids("environments")).contains(world.sharedEnvironment));
  }

  @Test
  void anotherUsersTemplateNeverAppearsInTheirListButBuiltInOnesDo() {
    for (RouteAccessCaller who : List.of(OTHER_DATA_SCIENTIST, APP_DEVELOPER, CONFIGURER, END_USER)) {
      JsonNode templates = world.as(who).get("/api/v1/templates").json().path("templates");
      assertThat(templates.findValuesAsText("name")).as("%s", who).contains(BUILT_IN).doesNotContain("alice-template");
    }
    JsonNode all = world.as(ADMIN).get("/api/v1/templates").json().path("templates");
    assertThat(all.findValuesAsText("name")).contains("alice-template", BUILT_IN);
    all.forEach(t -> {
      if (t.path("name").asText().equals("alice-template")) {
        assertThat(t.path("owner").asText()).isEqualTo("alice");
      }
    });
  }

  private static JsonNode byId(JsonNode environments, String id) {
    for (JsonNode environment : environments) {
      if (environment.path("id").asText().equals(id)) {
        return environment;
      }
    }
    return null;
  }
}
