package io.dcloud.node;

import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;

/** The node's peers, passed through: a part of the node that watches some calls overrides those. */
class WatchedPeers implements NodePeers {
  private final NodePeers peers;

  WatchedPeers(NodePeers peers) {
    this.peers = peers;
  }

  @Override
  public void report(String environmentId, NodeProtocol.ContainerReport report) {
    peers.report(environmentId, report);
  }

  @Override
  public void progress(String environmentId, String line) {
    peers.progress(environmentId, line);
  }

  @Override
  public CompletionStage<Claim> claim(String environmentId, String nodeId) {
    return peers.claim(environmentId, nodeId);
  }

  @Override
  public CompletionStage<Boolean> stop(String environmentId, String reason) {
    return peers.stop(environmentId, reason);
  }

  @Override
  public CompletionStage<List<String>> placedOn(String nodeId) {
    return peers.placedOn(nodeId);
  }

  @Override
  public Runnable whenMembersRemoved(Consumer<String> removed) {
    return peers.whenMembersRemoved(removed);
  }
}
