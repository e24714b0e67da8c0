package io.dcloud.gateway.dataset;

import io.dcloud.dataset.DatasetIds;
import io.dcloud.dataset.DatasetState;
import io.dcloud.dataset.DatasetVersion;
import io.dcloud.environment.EnvironmentStatus;
import io.dcloud.environment.EnvironmentView;
import io.dcloud.gateway.common.ClusterAsks;
import io.dcloud.gateway.common.Problem;
import io.dcloud.spec.EnvironmentSpec.DatasetRef;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletionStage;

/**
 * No version is deleted while an environment that is not over (not stopped, failed, lost or
 * deleted) names it: its container mounts it, or will. An environment naming {@code latest} (or no
 * version) holds the latest version. The environments come from this gateway's read side.
 */
final class DatasetMountGuard {
  private static final Set<EnvironmentStatus> OVER =
      EnumSet.of(EnvironmentStatus.STOPPED, EnvironmentStatus.FAILED, EnvironmentStatus.LOST, EnvironmentStatus.DELETED);

  private final ClusterAsks asks;

  DatasetMountGuard(ClusterAsks asks) {
    this.asks = asks;
  }

  /** Fails with 409 naming the environments that hold any of {@code versions}. */
  CompletionStage<Void> check(DatasetState state, List<Integer> versions) {
    Optional<Integer> latest = state.latest().map(DatasetVersion::version);
    return asks.listEnvironments(null, null, null, null, null).thenApply(listing -> {
      List<String> holding = listing.environments().stream()
          .filter(view -> !OVER.contains(view.status()) && holds(view, state.id(), latest, versions))
          .map(view -> view.id() + " (" + view.name() + ")")
          .toList();
      if (!holding.isEmpty()) {
        throw Problem.conflict("dataset " + state.id() + " version(s) " + versions + " are mounted by environments "
            + String.join(", ", holding) + ": stop them first").exception();
      }
      return null;
    });
  }

  private static boolean holds(EnvironmentView view, String datasetId, Optional<Integer> latest, List<Integer> versions) {
    List<DatasetRef> refs = view.spec().datasets() == null ? List.of() : view.spec().datasets();
    return refs.stream()
        .filter(ref -> DatasetIds.of(ref.category(), ref.db(), ref.dataset()).equals(datasetId))
        .anyMatch(ref -> ref.version() == null || ref.version().equals(DatasetState.LATEST)
            ? latest.isPresent() && versions.contains(latest.get())
            : versions.stream().anyMatch(v -> v.toString().equals(ref.version())));
  }
}
