package io.dcloud.node;

import com.typesafe.config.Config;
import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * Which node this process is, for the parts beside the worker that need to know (a gateway calls the
 * replicas of its own node directly): {@code dcloud.node.id}, or the machine's host name.
 */
public final class LocalNode {
  private static final String ID = "dcloud.node.id";

  private LocalNode() {}

  /** The id a worker in this process has (or would have) in the cluster. */
  public static String id(Config root) {
    return root.hasPath(ID) && !root.getString(ID).isBlank() ? root.getString(ID) : hostname();
  }

  /** The machine's host name, the id of a node whose configuration names none. */
  public static String hostname() {
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (UnknownHostException e) {
      return "localhost";
    }
  }
}
