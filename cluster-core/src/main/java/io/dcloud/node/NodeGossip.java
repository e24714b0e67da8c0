package io.dcloud.node;

import org.apache.pekko.cluster.UniqueAddress;
import org.apache.pekko.cluster.ddata.Key;
import org.apache.pekko.cluster.ddata.LWWMap;
import org.apache.pekko.cluster.ddata.LWWMapKey;

/**
 * The Distributed Data key under which every worker gossips its {@link NodeStatus}: one LWWMap
 * entry per node id, written only by that node (so last-writer-wins never loses anything).
 */
public final class NodeGossip {
  public static final Key<LWWMap<String, NodeStatus>> KEY = LWWMapKey.create("dcloud-nodes");

  private NodeGossip() {}

  /** One process incarnation: a restarted process on the same host and port is another member. */
  public static String memberId(UniqueAddress member) {
    return member.address() + "#" + member.longUid();
  }
}
