package io.dcloud.gateway;

/** The kinds of caller {@link RouteAccessTable} asks every route as: each role, and another user of alice's role. */
enum RouteAccessCaller {
  ANONYMOUS(null, null),
  END_USER("erin", "end-user"),
  DATA_SCIENTIST("alice", "data-scientist"),
  OTHER_DATA_SCIENTIST("bob", "data-scientist"),
  APP_DEVELOPER("dave", "app-developer"),
  CONFIGURER("carl", "platform-configurer"),
  ADMIN("admin", "admin");

  final String username;
  final String role;

  RouteAccessCaller(String username, String role) {
    this.username = username;
    this.role = role;
  }

  String password() {
    return this == ADMIN ? GatewayTestCluster.ADMIN_PASSWORD : "password-of-" + username;
  }

  @Override
  public String toString() {
    return this == ANONYMOUS ? "anonymous" : username + " (" + role + ")";
  }
}
