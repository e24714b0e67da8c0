package io.dcloud.scheduler;

import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * How {@link Placement} says why a request cannot be placed: node lists cut short, GPU counts,
 * models and labels worded the same way in a "not now" and a "never" reason.
 */
final class PlacementWording {

  /** A "why not now" reason names at most this many nodes, so a big cluster gives a short message. */
  static final int MAX_NODES_NAMED = 3;

  private PlacementWording() {}

  /** Each rejection with the nodes it applies to, e.g. "not enough free cpu (...) on n1, n2". */
  static String describe(Map<String, List<String>> rejections) {
    return rejections.entrySet().stream()
        .map(e -> e.getKey() + " on " + nodeList(e.getValue()))
        .collect(Collectors.joining("; "));
  }

  private static String nodeList(List<String> nodeIds) {
    String named = String.join(", ", nodeIds.subList(0, Math.min(nodeIds.size(), MAX_NODES_NAMED)));
    int more = nodeIds.size() - MAX_NODES_NAMED;
    return more > 0 ? named + " and " + more + " more" : named;
  }

  static String sayGpus(long count) {
    return count + (count == 1 ? " GPU" : " GPUs");
  }

  static String gpuNoun(PlacementAsk ask) {
    return ask.gpuModel() == null ? "GPUs" : "GPUs matching \"" + ask.resources().gpuModel() + "\"";
  }

  static String labels(Map<String, String> constraints) {
    return constraints.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue())
        .collect(Collectors.joining(", "));
  }
}
