package io.dcloud.gateway.environment;

import static io.dcloud.contract.ContractReader.at;

import io.dcloud.contracts.EnvironmentNames;
import io.dcloud.contracts.EnvironmentNames.VolumeOrigin;
import io.dcloud.environment.EnvironmentEntity;
import io.dcloud.environment.EnvironmentStatus;
import io.dcloud.environment.EnvironmentView;
import io.dcloud.gateway.common.ClusterAsks;
import io.dcloud.gateway.common.Problem;
import io.dcloud.identity.Caller;
import io.dcloud.node.NodeProtocol;
import io.dcloud.spec.EnvironmentSpec;
import io.dcloud.spec.EnvironmentSpec.KeptVolume;
import io.dcloud.spec.EnvironmentSpec.VolumeSpec;
import io.dcloud.validation.FieldError;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Metrics;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * A storage entry may mount a persistent volume an earlier environment left ({@code "volume":
 * "dcloud-<node>-<environment>-<n>"}): its data back in a new environment, as a Kubernetes claim
 * binds a retained volume again. Before the create, each is found on its node and checked: it is
 * the caller's (its environment's owner's; an admin may mount any, a collected environment's too),
 * no container mounts it, no other environment of its owner's mounts it again, and its environment is
 * deleted or runs elsewhere now. Its node is noted in
 * the spec (the environment is placed there alone) and, unless given, its size is its environment's.
 * Every refusal is a 422 naming {@code storage[i].volume}; a node that cannot be asked now is a 503.
 */
final class KeptVolumes {
  private final ClusterAsks asks;
  private final Counter mounted = Counter.builder("dcloud.volumes.kept.mounted")
      .description("Kept volumes a new environment was created to mount again")
      .register(Metrics.globalRegistry);

  KeptVolumes(ClusterAsks asks) {
    this.asks = asks;
  }

  /**
   * {@code spec} with each kept volume's node and size; the spec itself when it mounts none.
   * {@code environmentId}: the environment the create would make (null for a dry run): a create
   * sent again for it finds the volumes it mounts already its own.
   */
  CompletionStage<EnvironmentSpec> found(EnvironmentSpec spec, Caller caller, String environmentId) {
    List<VolumeSpec> storage = spec.storage();
    if (storage.stream().noneMatch(volume -> volume.kept() != null)) {
      return CompletableFuture.completedFuture(spec);
    }
    List<CompletableFuture<VolumeSpec>> found = new ArrayList<>();
    for (int i = 0; i < storage.size(); i++) {
      VolumeSpec volume = storage.get(i);
      found.add(volume.kept() == null
          ? CompletableFuture.completedFuture(volume)
          : found(volume, at(at("storage", i), "volume"), at(at("storage", i), "size"), caller, environmentId)
              .toCompletableFuture());
    }
    return CompletableFuture.allOf(found.toArray(CompletableFuture[]::new)).thenApply(all -> {
      List<VolumeSpec> volumes = found.stream().map(CompletableFuture::join).toList();
      requireOneNode(volumes);
      return spec.withStorage(volumes);
    });
  }

  /**
   * Promises each kept volume {@code spec} mounts to environment {@code environmentId} on its node,
   * where two creates naming one meet whatever gateway each came through (the checks of
   * {@link #found} read listings that learn of a new environment a moment later). A failed stage
   * carries the 422 when another create has one, the 503 when its node cannot be asked; the
   * promises made are given back then.
   */
  CompletionStage<Void> claim(EnvironmentSpec spec, String environmentId) {
    List<VolumeSpec> storage = spec.storage();
    List<CompletableFuture<Void>> claims = new ArrayList<>();
    for (int i = 0; i < storage.size(); i++) {
      KeptVolume kept = storage.get(i).kept();
      if (kept != null) {
        claims.add(claim(kept, environmentId, at(at("storage", i), "volume")).toCompletableFuture());
      }
    }
    return CompletableFuture.allOf(claims.toArray(CompletableFuture[]::new)).whenComplete((all, failure) -> {
      if (failure != null) {
        release(spec, environmentId);
      }
    });
  }

  /** Gives back the promises of {@link #claim}: the create failed. */
  void release(EnvironmentSpec spec, String environmentId) {
    spec.storage().stream().map(VolumeSpec::kept).filter(Objects::nonNull).forEach(kept ->
        asks.tellNode(kept.node(), new NodeProtocol.ReleaseVolumeClaim(kept.name(), environmentId)));
  }

  private CompletionStage<Void> claim(KeptVolume kept, String environmentId, String field) {
    return asks.<NodeProtocol.VolumeClaimed>node(kept.node(),
            replyTo -> new NodeProtocol.ClaimVolume(kept.name(), environmentId, replyTo))
        .thenAccept(reply -> {
          NodeProtocol.VolumeClaimed claimed = reply.orElseThrow(() -> Problem.of(Problem.Type.CLUSTER_UNAVAILABLE,
              "node " + kept.node() + ", which holds volume " + kept.name() + ", cannot be asked now: "
                  + "ask again once it is UP").exception());
          if (!claimed.grantedTo(environmentId)) {
            throw invalid(field, quote(kept.name()) + " is being mounted again by environment " + claimed.claimant()
                + ", created a moment ago");
          }
        });
  }

  /** Counts the kept volumes of an environment just created. */
  void created(EnvironmentSpec spec) {
    spec.storage().stream().filter(volume -> volume.kept() != null).forEach(volume -> mounted.increment());
  }

  private CompletionStage<VolumeSpec> found(
      VolumeSpec volume, String field, String sizeField, Caller caller, String environmentId) {
    String name = volume.kept().name();
    Optional<VolumeOrigin> origin = EnvironmentNames.volumeOrigin(name);
    if (origin.isEmpty()) {
      // A failed stage, never a throw: the create's caller releases what it admitted when the stage ends.
      return CompletableFuture.failedFuture(
          invalid(field, quote(name) + " is no volume an environment kept: name one its persistentVolumes listed"));
    }
    return asks.<EnvironmentEntity.Reply>environment(origin.get().environmentId(), EnvironmentEntity.Get::new)
        .thenCompose(reply -> {
          EnvironmentView made = reply instanceof EnvironmentEntity.Ok ok ? ok.view() : null;
          // Another user's volume is answered as one that does not exist: its name says nothing of theirs.
          if (made == null ? !caller.isAdmin() : !caller.mayAccess(made.owner())) {
            throw invalid(field, "no volume of " + caller.username() + "'s is named " + quote(name)
                + (made == null ? " (a collected environment's volume only an admin may mount)" : ""));
          }
          String owner = made == null ? caller.username() : made.owner();
          return onItsNode(name, origin.get(), field).thenCombine(claimants(name, owner), (onNode, claimants) -> {
            String node = onNode.node();
            // This create sent again (the same Idempotency-Key) finds the volume its environment's already.
            if (environmentId == null || claimants.stream().noneMatch(claimant -> claimant.id().equals(environmentId))) {
              requireFree(name, field, onNode, claimants, made);
            }
            long size = volume.sizeBytes() > 0 ? volume.sizeBytes() : sizeIn(made, origin.get().storageIndex());
            if (size <= 0) {
              throw invalid(sizeField, "is required: the environment that made " + quote(name)
                  + " was collected, so its size is unknown");
            }
            return new VolumeSpec(volume.target(), size, volume.lifecycle(), new KeptVolume(name, node));
          });
        });
  }

  private record OnNode(String node, NodeProtocol.Volume volume) {}

  /** Throws the 422 when a container, another environment or its own still-living environment holds it. */
  private static void requireFree(
      String name, String field, OnNode onNode, List<EnvironmentView> claimants, EnvironmentView made) {
    String node = onNode.node();
    if (onNode.volume().inUse()) {
      throw invalid(field, quote(name) + " is mounted by a container on node " + node + " now");
    }
    if (!claimants.isEmpty()) {
      EnvironmentView claimant = claimants.get(0);
      throw invalid(field, quote(name) + " is mounted again by environment " + claimant.id() + " (" + claimant.status()
          + (claimant.status() == EnvironmentStatus.QUEUED ? ", waiting for a place on node " + node : "") + ")");
    }
    if (made != null && made.status() != EnvironmentStatus.DELETED && node.equals(made.node())) {
      throw invalid(field, quote(name) + " belongs to environment " + made.id() + " (" + made.name() + ", "
          + made.status() + ") on node " + node + ": delete it first, or mount the volume there");
    }
  }

  /**
   * The environments of {@code owner}'s that mount the volume already, container or not (one waiting
   * for a place after a drain has none, and the engine then says the volume is unused).
   */
  private CompletionStage<List<EnvironmentView>> claimants(String name, String owner) {
    return asks.listEnvironments(null, null, null, owner, null).thenApply(listing -> listing.environments().stream()
        .filter(view -> view.spec() != null && view.spec().storage().stream()
            .anyMatch(volume -> volume.kept() != null && volume.kept().name().equals(name)))
        .toList());
  }

  /** The volume on the node whose id its name carries, as that node lists it now. */
  private CompletionStage<OnNode> onItsNode(String name, VolumeOrigin origin, String field) {
    return asks.nodes().thenCompose(nodes -> {
      List<String> candidates = nodes.nodes().stream().map(node -> node.status().nodeId()).filter(origin::madeBy).toList();
      if (candidates.isEmpty()) {
        throw invalid(field, "the node that made " + quote(name) + " is not in the cluster now");
      }
      String node = candidates.get(0);
      return asks.<NodeProtocol.VolumesReply>node(node, NodeProtocol.ListVolumes::new).thenApply(reply -> {
        if (!(reply.orElse(null) instanceof NodeProtocol.Volumes volumes)) {
          throw Problem.of(Problem.Type.CLUSTER_UNAVAILABLE, "node " + node + ", which holds volume " + name
              + ", cannot list its volumes now: ask again once it is UP").exception();
        }
        return volumes.volumes().stream().filter(v -> v.name().equals(name)).findFirst()
            .map(v -> new OnNode(node, v))
            .orElseThrow(() -> invalid(field, "node " + node + " has no volume " + quote(name)
                + " now: an operator removed it, or it was never made"));
      });
    });
  }

  private static long sizeIn(EnvironmentView made, int index) {
    if (made == null || made.spec() == null || index >= made.spec().storage().size()) {
      return 0;
    }
    return made.spec().storage().get(index).sizeBytes();
  }

  /** An environment runs on one node, so the volumes it mounts again must all be on one. */
  private static void requireOneNode(List<VolumeSpec> volumes) {
    String first = null;
    for (int i = 0; i < volumes.size(); i++) {
      KeptVolume kept = volumes.get(i).kept();
      if (kept == null) {
        continue;
      }
      if (first != null && !Objects.equals(first, kept.node())) {
        throw invalid(at(at("storage", i), "volume"), quote(kept.name()) + " is on node " + kept.node()
            + ", another kept volume of this environment on node " + first + ": an environment runs on one node");
      }
      first = kept.node();
    }
  }

  /** In full: a volume's name is checked to be short and of Docker's characters, and a user needs all of it. */
  private static String quote(String volumeName) {
    return '"' + volumeName + '"';
  }

  private static RuntimeException invalid(String field, String reason) {
    return Problem.invalid(List.of(new FieldError(field, reason))).exception();
  }
}
