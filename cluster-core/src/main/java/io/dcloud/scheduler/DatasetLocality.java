package io.dcloud.scheduler;

import io.dcloud.dataset.DatasetState;
import io.dcloud.node.NodeStatus;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.function.ToIntFunction;
import java.util.stream.Collectors;

/**
 * Data locality: which of the dataset versions a request mounts each node's cache already holds
 * (from its gossiped {@link NodeStatus#datasets}), so placement can prefer a node that need not
 * fetch them. A soft preference, applied to the nodes that passed every hard check.
 *
 * <p>A request naming {@code latest} is matched against the newest version of that dataset any of
 * the given nodes holds. The scheduler cannot resolve {@code latest} itself (the dataset's entity
 * knows, and asking it would put a remote call inside every placement), and the node resolves it
 * only when it deploys; but the store's latest is never older than the newest version any node
 * cached, so a node holding an older one is certainly stale and gets no preference. The one miss:
 * a newer version uploaded since and cached nowhere yet; then the preferred node fetches it like
 * any other would, a preference that cost nothing.
 */
final class DatasetLocality {
  static final DatasetLocality NONE = new DatasetLocality(List.of());

  private static final String AT = "@";

  /** What counts as holding the request's datasets: {@code <id>@<version>}, one per dataset the request names. */
  private final List<String> wanted;

  private DatasetLocality(List<String> wanted) {
    this.wanted = wanted;
  }

  /** {@code nodes}: every node whose cache may hold a version of the request's datasets. */
  static DatasetLocality of(PlacementRequest request, Collection<NodeCandidate> nodes) {
    if (!namesDatasets(request)) {
      return NONE;
    }
    Map<String, Integer> newestCached = new HashMap<>();
    for (NodeCandidate node : nodes) {
      for (String held : held(node.status())) {
        int at = held.lastIndexOf(AT);
        Integer version = number(held.substring(at + 1));
        if (version != null) {
          newestCached.merge(held.substring(0, at), version, Math::max);
        }
      }
    }
    List<String> wanted = new ArrayList<>();
    for (String asked : request.datasets()) {
      int at = asked.lastIndexOf(AT);
      String id = at < 0 ? asked : asked.substring(0, at);
      String version = at < 0 ? DatasetState.LATEST : asked.substring(at + 1);
      Integer number = version.equals(DatasetState.LATEST) ? newestCached.get(id) : number(version);
      if (number != null) {
        wanted.add(NodeStatus.datasetVersion(id, number));
      }
    }
    return new DatasetLocality(List.copyOf(wanted));
  }

  static boolean namesDatasets(PlacementRequest request) {
    return request.datasets() != null && !request.datasets().isEmpty();
  }

  /** Whether the node's cache holds any version of a dataset the request names: the nodes {@link #of} needs. */
  static boolean holdsAnyOf(PlacementRequest request, NodeStatus status) {
    List<String> held = held(status);
    if (held.isEmpty()) {
      return false;
    }
    Set<String> ids = request.datasets().stream()
        .map(asked -> asked.lastIndexOf(AT) < 0 ? asked : asked.substring(0, asked.lastIndexOf(AT)))
        .collect(Collectors.toSet());
    return held.stream().anyMatch(h -> ids.contains(h.substring(0, Math.max(0, h.lastIndexOf(AT)))));
  }

  boolean isEmpty() {
    return wanted.isEmpty();
  }

  /**
   * The options whose node holds the most of the wanted versions, when some hold more than others;
   * otherwise all of them (locality does not decide between equals).
   */
  <T> List<T> preferred(List<T> options, Function<T, NodeStatus> node) {
    if (isEmpty()) {
      return options;
    }
    ToIntFunction<T> held = option -> heldBy(node.apply(option)).size();
    int most = options.stream().mapToInt(held).max().orElse(0);
    boolean someHoldLess = options.stream().anyMatch(option -> held.applyAsInt(option) < most);
    return most > 0 && someHoldLess ? options.stream().filter(option -> held.applyAsInt(option) == most).toList() : options;
  }

  /** The wanted versions the node's cache holds, in the request's order. */
  List<String> heldBy(NodeStatus status) {
    List<String> held = held(status);
    return held.isEmpty() ? List.of() : wanted.stream().filter(held::contains).toList();
  }

  /** The placement's reason: "holds dataset images/cifar/train v3 in its cache". */
  static String reason(List<String> held) {
    List<String> said = held.stream().map(h -> h.replace(AT, " v")).toList();
    String names = said.size() == 1 ? said.get(0)
        : String.join(", ", said.subList(0, said.size() - 1)) + " and " + said.get(said.size() - 1);
    return "holds dataset" + (said.size() == 1 ? " " : "s ") + names + " in its cache";
  }

  private static List<String> held(NodeStatus status) {
    return status.datasets() == null ? List.of() : status.datasets();
  }

  private static Integer number(String text) {
    return text.matches("[1-9][0-9]{0,8}") ? Integer.valueOf(text) : null;
  }
}
