package io.dcloud.persistence;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.dcloud.secret.Secrets;
import java.util.Map;
import java.util.Objects;

/**
 * The role DCloud logs in to Cassandra as (Cassandra's PasswordAuthenticator): from {@code
 * dcloud.cassandra.username} and {@code password}, or, without a configured password, from {@code
 * password-file}, generated on first use. The embedded Cassandra creates this role ({@link
 * CassandraRoles}); the Pekko Persistence plugin's driver logs in with it ({@link #applyTo}).
 */
public record CassandraCredentials(String username, String password) {

  /** Cassandra's default superuser, which the embedded Cassandra drops once DCloud's role exists. */
  static final String DEFAULT_SUPERUSER = "cassandra";

  public CassandraCredentials {
    Objects.requireNonNull(username, "username");
    Objects.requireNonNull(password, "password");
    if (username.isBlank() || password.isEmpty()) {
      throw new IllegalArgumentException("dcloud.cassandra.username and password must not be empty");
    }
    if (username.equals(DEFAULT_SUPERUSER)) {
      throw new IllegalArgumentException(
          "dcloud.cassandra.username must not be '" + DEFAULT_SUPERUSER + "': the embedded Cassandra drops that default superuser");
    }
  }

  /** From the {@code dcloud.cassandra} section of an application's root config. */
  public static CassandraCredentials fromConfig(Config config) {
    Config section = config.getConfig("dcloud.cassandra");
    return new CassandraCredentials(section.getString("username"), Secrets.passwordFrom(section));
  }

  /**
   * {@code config} with the DataStax driver's {@code advanced.auth-provider} logging in as this
   * role: what the Pekko Persistence plugin's session (and any other session made from the
   * config's {@code datastax-java-driver} section) uses.
   */
  public Config applyTo(Config config) {
    return ConfigFactory.parseMap(Map.of(
            "datastax-java-driver.advanced.auth-provider.class", "PlainTextAuthProvider",
            "datastax-java-driver.advanced.auth-provider.username", username,
            "datastax-java-driver.advanced.auth-provider.password", password))
        .withFallback(config);
  }

  /** Never prints the password (settings are logged). */
  @Override
  public String toString() {
    return "CassandraCredentials[username=" + username + ", password=***]";
  }
}
