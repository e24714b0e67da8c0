package io.dcloud.node;

import com.typesafe.config.Config;
import java.time.Duration;

/**
 * The {@code dcloud.node} keys of interactive commands and file transfers (see node-actor's
 * reference.conf). Apart from {@link NodeSettings}: these only size the user sessions a node serves.
 */
record SessionSettings(int maxShells, int maxFileTransfers, Duration transferTimeout, Duration transferIdleTimeout) {

  /** Sessions block on the engine's sockets for as long as they last: they get threads of their own. */
  static final String DISPATCHER = "dcloud.node.session-dispatcher";

  static SessionSettings fromConfig(Config root) {
    Config c = root.getConfig("dcloud.node");
    return new SessionSettings(
        c.getInt("max-shells"),
        c.getInt("max-file-transfers"),
        c.getDuration("file-transfer-timeout"),
        c.getDuration("file-transfer-idle-timeout"));
  }
}
