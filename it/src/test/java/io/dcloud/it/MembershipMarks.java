package io.dcloud.it;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;

/**
 * What the nodes' logs say about membership since a point: how often a member was marked
 * unreachable (Pekko's failure detector) and how many downing decisions the Split Brain Resolver
 * took. For benchmarks that load a cluster and must not disturb it.
 */
record MembershipMarks(int unreachable, int downings) {

  /** Where each node's log ends now: pass it to {@link #since} later. */
  static List<Long> logEnds(List<Node> nodes) throws IOException {
    List<Long> ends = new ArrayList<>();
    for (Node node : nodes) {
      ends.add(Files.size(node.logFile));
    }
    return ends;
  }

  /** The marks in each node's log after its end in {@code logEnds}. */
  static MembershipMarks since(List<Node> nodes, List<Long> logEnds) throws IOException {
    int unreachable = 0;
    int downings = 0;
    for (int i = 0; i < nodes.size(); i++) {
      byte[] all = Files.readAllBytes(nodes.get(i).logFile);
      int from = (int) Math.min(logEnds.get(i), all.length);
      for (String line : new String(all, from, all.length - from, StandardCharsets.UTF_8).lines().toList()) {
        unreachable += line.contains("Marking node as UNREACHABLE") ? 1 : 0;
        downings += line.contains("SBR took decision") || line.contains("SBR detected instability") ? 1 : 0;
      }
    }
    return new MembershipMarks(unreachable, downings);
  }
}
