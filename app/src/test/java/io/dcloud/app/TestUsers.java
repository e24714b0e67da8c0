package io.dcloud.app;

import static org.assertj.core.api.Assertions.assertThat;

/** The users the end-to-end tests make: created by the admin with one role, then acted as through their own API. */
final class TestUsers {
  private TestUsers() {}

  /** Creates username with password and role through admin's API (201, or the test fails) and answers the API signed in as them. */
  static Api create(Api admin, String username, String password, String role) {
    Api.Response made = admin.post("/api/v1/users", "{\"username\": \"" + username + "\", \"password\": \"" + password
        + "\", \"roles\": [\"" + role + "\"]}");
    assertThat(made.status()).as(made.body()).isEqualTo(201);
    return admin.as(username, password);
  }
}
