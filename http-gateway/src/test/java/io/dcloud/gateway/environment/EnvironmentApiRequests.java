package io.dcloud.gateway.environment;

import static org.assertj.core.api.Assertions.assertThat;

import io.dcloud.gateway.Api;
import java.time.Duration;

/** What the environment API tests ask of {@code /api/v1/environments} over and over. */
final class EnvironmentApiRequests {
  /** How long a new environment may take to show in the directory's listings. */
  static final Duration READ_SIDE_WAIT = Duration.ofSeconds(10);

  private EnvironmentApiRequests() {}

  /** Creates an environment, checks the 202 and the location it names, and gives the new id. */
  static String create(Api api, String body, String contentType) {
    Api.Answer created = api.post("/api/v1/environments", contentType, body);
    assertThat(created.status()).as(created.body()).isEqualTo(202);
    String id = created.json().path("id").asText();
    assertThat(created.header("location")).isEqualTo("/api/v1/environments/" + id);
    return id;
  }
}
