package io.dcloud.identity;

import com.typesafe.config.Config;
import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** {@code dcloud.identity} (see this module's reference.conf), read once at start. */
public record IdentitySettings(
    String adminPassword,
    Duration sessionTtl,
    Duration apiTokenTtl,
    String signingKey,
    int hashingThreads,
    int verifiedTokens,
    int maxLoginFailures,
    Duration loginWindow,
    List<String> authenticators,
    String sessionCookie,
    String csrfHeader,
    boolean secureCookie,
    Map<Role, Quota> roleQuotas) {

  public static IdentitySettings fromConfig(Config root) {
    Config config = root.getConfig("dcloud.identity");
    Map<Role, Quota> quotas = new EnumMap<>(Role.class);
    for (Role role : Role.values()) {
      String path = "quotas." + role.wireName();
      quotas.put(role, config.hasPath(path)
          ? QuotaReader.fromConfig("dcloud.identity." + path, config.getConfig(path))
          : Quota.UNLIMITED);
    }
    return new IdentitySettings(
        config.getString("admin-password"),
        config.getDuration("session-ttl"),
        config.getDuration("api-token-ttl"),
        config.getString("signing-key"),
        config.getInt("hashing-threads"),
        config.getInt("verified-tokens"),
        config.getInt("login-throttle.max-failures"),
        config.getDuration("login-throttle.window"),
        config.getStringList("authenticators"),
        config.getString("session-cookie"),
        config.getString("csrf-header"),
        config.getBoolean("secure-cookie"),
        Map.copyOf(quotas));
  }

  /** The quota of a user: an admin's override, else the widest of their roles' defaults. */
  public Quota quotaOf(Set<Role> roles, Quota override) {
    if (override != null) {
      return override;
    }
    return roles.stream().map(roleQuotas::get).reduce(Quota::widest).orElse(roleQuotas.get(Role.END_USER));
  }
}
