package io.dcloud.gateway.environment;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonUnwrapped;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dcloud.environment.EnvironmentContractWriter;
import io.dcloud.environment.EnvironmentView;
import io.dcloud.environment.EnvironmentView.HistoryEntry;
import io.dcloud.gateway.common.ApiPaths;
import io.dcloud.gateway.common.ProxySettings;
import io.dcloud.resources.Quantities;
import io.dcloud.resources.Resources;
import io.dcloud.spec.EnvironmentSpec;
import io.dcloud.spec.PublishedPort;
import java.time.Instant;
import java.util.List;

/**
 * An environment as the API shows it: sizes in the units users write ("1G", "1.5"), the request in
 * its contract form, and links to everything else about it. {@code owner} says whose it is (an
 * admin's list has everyone's); null for environments created before users existed;
 * {@code sharedWith} the groups whose members may read it; {@code url} where the proxy serves its
 * first port (null unless it runs and has one). {@code progress}: the image build's step while
 * BUILDING, or the bytes of its datasets fetched during PREPARING (see {@link BuildProgress}); null
 * otherwise. {@code datasets}: what its container mounts, each with the version it resolved to
 * ("latest" when it started); null before it started (and for containers started before DCloud said).
 * {@code service}: the service whose replica it is, and {@code ready} whether it serves (RUNNING and
 * its readiness path answered 2xx); both null for other environments. {@code restarts}: how many
 * times its restart policy started it again after its container exited since it was created or
 * started by hand, {@code restartAt} when it does next (see {@link EnvironmentView}); null when none.
 * {@code resizing}: true while its node changes its running container's limits to a resize's; null otherwise.
 */
public record EnvironmentJson(
    String id,
    String name,
    String owner,
    List<String> sharedWith,
    String status,
    String node,
    String containerId,
    String image,
    ResourcesJson resources,
    List<PublishedPort> ports,
    String url,
    List<String> gpus,
    List<String> persistentVolumes,
    String reason,
    Integer queuePosition,
    Instant createdAt,
    Instant updatedAt,
    JsonNode spec,
    List<HistoryEntry> history,
    Links links,
    BuildProgress.Progress progress,
    List<MountedDataset> datasets,
    String service,
    Boolean ready,
    Integer restarts,
    Instant restartAt,
    Boolean resizing) {

  /** A dataset mounted at /datasets/{category}/{db}/{name}: which version it is. */
  record MountedDataset(String category, String db, String name, String version) {
    static List<MountedDataset> of(List<EnvironmentSpec.DatasetRef> resolved) {
      return resolved == null ? null
          : resolved.stream().map(ref -> new MountedDataset(ref.category(), ref.db(), ref.dataset(), ref.version())).toList();
    }
  }

  /** Sizes written so the contract reads them back exactly ({@code "1536M"}, cores {@code "1.5"}). */
  record ResourcesJson(String cpu, String ram, int gpu, String storage, String gpuModel) {
    static ResourcesJson of(Resources r) {
      return new ResourcesJson(
          Quantities.formatCores(r.milliCpus()), Quantities.formatSize(r.memoryBytes()), r.gpus(),
          Quantities.formatSize(r.storageBytes()), r.gpuModel());
    }
  }

  record Links(String self, String events, String logs, String stats, String dockerfile, String manifest) {
    static Links of(String id) {
      String self = ApiPaths.environment(id);
      return new Links(
          self, self + "/events", self + "/logs", self + "/stats", self + "/dockerfile",
          self + "/manifest?format=kubernetes");
    }
  }

  /**
   * {@code GET /environments/{id}} answered by the gateway's read side because the entity did not
   * answer in time: the same fields, then {@code "stale": true} and {@code asOf}, when the read side
   * last applied a change of this environment. A fresh answer has neither field, so every other
   * answer (and list) keeps its shape; a client reads a missing {@code stale} as false.
   */
  record Stale(@JsonUnwrapped EnvironmentJson environment, Instant asOf) {
    @JsonProperty("stale")
    boolean stale() {
      return true;
    }
  }

  /** A list answer: {@code {"environments": [...]}}, and {@code "continue"} when a page was full and more follow. */
  record Listing(
      List<EnvironmentJson> environments,
      @JsonProperty("continue") @JsonInclude(JsonInclude.Include.NON_NULL) String continueToken) {}

  /** {@code proxy} makes {@code url}: where its proxy serves the environment (see {@link ProxySettings#urlOf}). */
  public static EnvironmentJson of(EnvironmentView view, ObjectMapper mapper, ProxySettings proxy) {
    boolean hasSpec = view.spec() != null;
    return new EnvironmentJson(
        view.id(),
        view.name(),
        view.owner(),
        view.sharedWith(),
        view.status() == null ? null : view.status().name(),
        view.node(),
        view.containerId(),
        view.image() == null ? null : view.image().tag(),
        hasSpec ? ResourcesJson.of(view.spec().resources()) : null,
        view.ports(),
        proxy.urlOf(view),
        view.gpus(),
        view.persistentVolumes(),
        view.reason(),
        view.queuePosition(),
        view.createdAt(),
        view.updatedAt(),
        hasSpec ? EnvironmentContractWriter.toContract(view.spec(), mapper) : null,
        view.history(),
        Links.of(view.id()),
        null,
        MountedDataset.of(view.datasets()),
        hasSpec && view.spec().service() != null ? view.spec().service().name() : null,
        view.ready(),
        view.restarts(),
        view.restartAt(),
        view.resizing());
  }

  /** The same environment with its build's step. */
  EnvironmentJson withProgress(BuildProgress.Progress buildProgress) {
    return new EnvironmentJson(id, name, owner, sharedWith, status, node, containerId, image, resources, ports, url, gpus,
        persistentVolumes, reason, queuePosition, createdAt, updatedAt, spec, history, links, buildProgress, datasets,
        service, ready, restarts, restartAt, resizing);
  }
}
