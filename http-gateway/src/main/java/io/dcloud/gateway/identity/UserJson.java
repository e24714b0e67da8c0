package io.dcloud.gateway.identity;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.dcloud.identity.BuiltInAuthenticator;
import io.dcloud.identity.Quota;
import io.dcloud.identity.Role;
import io.dcloud.identity.User;
import io.dcloud.resources.Quantities;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Users as the API shows them: never a password hash, never a token's secret. */
final class UserJson {
  private UserJson() {}

  /**
   * {@code source}: {@code "built-in"} for DCloud's own users, else the directory that signs them in
   * ({@code "ldap"}). {@code usage} and {@code groups}: in a user's own answer ({@code /users/me}) and an admin's
   * {@code GET /users/{name}} only, not in lists or the answers to changes.
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  record UserAnswer(
      String username, List<String> roles, String source, boolean disabled, Instant createdAt, Map<String, Object> quota,
      String quotaFrom, Map<String, Object> usage, List<String> groups) {
    UserAnswer withGroups(Set<String> names) {
      return new UserAnswer(username, roles, source, disabled, createdAt, quota, quotaFrom, usage,
          names.stream().sorted().toList());
    }
  }

  record Listing(List<UserAnswer> users) {}

  record TokenAnswer(String id, String name, Instant createdAt, Instant expiresAt) {}

  record NewToken(String id, String name, String token, Instant createdAt, Instant expiresAt) {}

  record TokenListing(List<TokenAnswer> tokens) {}

  static UserAnswer of(User user, Quota effective, Map<String, Object> usage) {
    return new UserAnswer(user.username(), roles(user.roles()),
        user.fromDirectory() ? user.source() : BuiltInAuthenticator.NAME, user.disabled(), user.createdAt(), spelled(effective),
        user.quota() == null ? "roles" : "user", usage, null);
  }

  static List<String> roles(Set<Role> roles) {
    return roles.stream().map(Role::wireName).sorted().toList();
  }

  /** A quota as users write it; unlimited resources are left out. */
  static Map<String, Object> spelled(Quota quota) {
    Map<String, Object> spelled = new LinkedHashMap<>();
    if (quota.milliCpus() != null) {
      spelled.put("cpu", Quantities.formatCores(quota.milliCpus()));
    }
    if (quota.memoryBytes() != null) {
      spelled.put("ram", Quantities.formatSize(quota.memoryBytes()));
    }
    if (quota.gpus() != null) {
      spelled.put("gpu", quota.gpus());
    }
    if (quota.environments() != null) {
      spelled.put("environments", quota.environments());
    }
    if (quota.storageBytes() != null) {
      spelled.put("storage", Quantities.formatSize(quota.storageBytes()));
    }
    return spelled;
  }

  static TokenAnswer of(User.ApiToken token) {
    return new TokenAnswer(token.id(), token.name(), token.createdAt(), token.expiresAt());
  }
}
