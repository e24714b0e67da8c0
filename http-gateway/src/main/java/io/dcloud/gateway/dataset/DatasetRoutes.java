package io.dcloud.gateway.dataset;

import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.Config;
import io.dcloud.dataset.DatasetEntity;
import io.dcloud.dataset.DatasetState;
import io.dcloud.gateway.common.ApiPaths;
import io.dcloud.gateway.common.AuditLog;
import io.dcloud.gateway.common.CallerAttribute;
import io.dcloud.gateway.common.ClusterAsks;
import io.dcloud.gateway.common.JsonYaml;
import io.dcloud.gateway.common.RequestBodies;
import io.dcloud.gateway.identity.GroupNames;
import io.dcloud.gateway.identity.UserRoutes;
import io.dcloud.identity.Caller;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * {@code /datasets}: list ({@code ?prefix=}), and per dataset {@code /{category}/{db}/{name}} its
 * bytes ({@link DatasetTransfers}), {@code DELETE} of one version or all, {@code /versions}, and
 * {@code /readers} (who besides its owner may read it: users and groups). Changes are audited.
 */
public final class DatasetRoutes extends AllDirectives {
  public static final String VERSIONS = "versions";
  public static final String READERS = "readers";
  private static final String DELETE_ACTION = "dataset.delete";
  private static final String READERS_ACTION = "dataset.readers";

  private final ClusterAsks asks;
  private final DatasetAccess access;
  private final DatasetTransfers transfers;
  private final DatasetMountGuard mounts;
  private final JsonYaml codec;
  private final RequestBodies bodies;
  private final AuditLog audit;

  public DatasetRoutes(ActorSystem<?> system, ClusterAsks asks, JsonYaml codec, RequestBodies bodies, Config config,
      AuditLog audit, Duration askTimeout) {
    this.asks = asks;
    this.access = new DatasetAccess(system, asks.datasets(), askTimeout);
    this.mounts = new DatasetMountGuard(asks);
    this.transfers = new DatasetTransfers(system, access, codec, config, audit, askTimeout);
    this.codec = codec;
    this.bodies = bodies;
    this.audit = audit;
  }

  /** Who may read and change which dataset: for what is stored as datasets (models). */
  public DatasetAccess access() {
    return access;
  }

  /** The upload path: for what is stored as datasets (models). */
  public DatasetTransfers transfers() {
    return transfers;
  }

  public Route route() {
    return pathPrefix(ApiPaths.DATASETS, () -> CallerAttribute.of(caller -> concat(
        pathEnd(() -> get(() -> parameterOptional("prefix", prefix ->
            completeWithFuture(list(caller, prefix.orElse("")))))),
        pathPrefix(category -> pathPrefix(db -> pathPrefix(name ->
            dataset(DatasetAccess.id(category, db, name), caller)))))));
  }

  private Route dataset(String id, Caller caller) {
    return concat(
        pathEnd(() -> parameterOptional("version", rawVersion -> concat(
            put(() -> transfers.put(id, caller)),
            get(() -> transfers.get(id, caller, DatasetAccess.versionParameter(rawVersion))),
            delete(() -> completeWithFuture(delete(id, caller, DatasetAccess.versionParameter(rawVersion))))))),
        path(VERSIONS, () -> get(() -> completeWithFuture(access.readable(id, caller)
            .thenApply(state -> codec.jsonResponse(StatusCodes.OK, DatasetJson.Dataset.of(state)))))),
        path(READERS, () -> put(() -> bodies.document(body -> completeWithFuture(readers(id, caller, body))))));
  }

  private CompletionStage<HttpResponse> list(Caller caller, String prefix) {
    return access.backends().listing().list(prefix).thenApply(states -> codec.jsonResponse(StatusCodes.OK,
        new DatasetJson.Listing(states.stream()
            .filter(state -> state.exists() && DatasetAccess.mayRead(state, caller))
            .map(DatasetJson.Entry::of)
            .toList())));
  }

  private CompletionStage<HttpResponse> delete(String id, Caller caller, Integer version) {
    return access.owned(id, caller)
        .thenCompose(state -> mounts.check(state, version == null ? versions(state) : List.of(version))
            .thenApply(free -> state))
        .thenCompose(state -> access.<DatasetEntity.Reply>ask(id,
            replyTo -> new DatasetEntity.DeleteVersions(version, caller.username(), replyTo))
            .thenApply(reply -> {
              if (!(reply instanceof DatasetEntity.Updated updated)) {
                throw DatasetAccess.refused(reply);
              }
              List<Integer> remaining = versions(updated.state());
              List<Integer> deleted = versions(state).stream().filter(v -> !remaining.contains(v)).toList();
              audit.record(caller, DELETE_ACTION, id, "deleted versions " + deleted);
              return codec.jsonResponse(StatusCodes.OK, new DatasetJson.Deleted(id, deleted, remaining));
            }));
  }

  private static List<Integer> versions(DatasetState state) {
    return state.versions().stream().map(v -> v.version()).toList();
  }

  private CompletionStage<HttpResponse> readers(String id, Caller caller, JsonNode body) {
    if (!body.isObject()) {
      throw UserRoutes.invalid("body", "must be an object with users and groups");
    }
    Set<String> users = GroupNames.read(body, "users", false);
    Set<String> groups = GroupNames.read(body, "groups", false);
    return access.owned(id, caller)
        .thenCompose(state -> ReaderNames.check(asks, users, groups))
        .thenCompose(known -> access.<DatasetEntity.Reply>ask(id, replyTo -> new DatasetEntity.SetReaders(
            users.stream().sorted().toList(), groups.stream().sorted().toList(), caller.username(), replyTo)))
        .thenApply(reply -> {
          if (!(reply instanceof DatasetEntity.Updated updated)) {
            throw DatasetAccess.refused(reply);
          }
          audit.record(caller, READERS_ACTION, id, "readers " + users + ", groups " + groups);
          return codec.jsonResponse(StatusCodes.OK, DatasetJson.Dataset.of(updated.state()));
        });
  }
}
