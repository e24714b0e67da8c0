package io.dcloud.app;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigValueFactory;
import java.util.ArrayList;
import java.util.List;

/**
 * Every DCloud process is a {@code server}, whatever else its roles say: environment shards live
 * on servers only ({@code pekko.cluster.sharding.role} in application.conf), singletons on control
 * nodes. Other members — services joined with the client module's role {@code client} — host
 * nothing, and the shard coordinator never waits for them to acknowledge its state. The role is
 * added here, not asked of operators, so that {@code --roles worker} still makes a node that hosts shards.
 */
public final class ServerRole {
  public static final String ROLE = "server";
  private static final String ROLES = "pekko.cluster.roles";

  private ServerRole() {}

  /** {@code config} with {@value #ROLE} among its cluster roles. */
  public static Config added(Config config) {
    List<String> roles = new ArrayList<>(config.getStringList(ROLES));
    if (roles.contains(ROLE)) {
      return config;
    }
    roles.add(ROLE);
    return config.withValue(ROLES, ConfigValueFactory.fromIterable(roles));
  }
}
