package io.dcloud.testing;

import com.typesafe.config.ConfigFactory;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;

/**
 * A test kit for tests whose actors never cross machines (streams, caches, sessions): no cluster
 * provider, so no remoting port is bound. Artery picks a free port for port 0 before it binds it,
 * and another process may take it in between (seen as "Address already in use" on a busy machine).
 */
public final class LocalTestKit {
  private LocalTestKit() {}

  public static ActorTestKit create(String name) {
    return ActorTestKit.create(name,
        ConfigFactory.parseString("pekko.actor.provider = local").withFallback(ConfigFactory.load()));
  }
}
