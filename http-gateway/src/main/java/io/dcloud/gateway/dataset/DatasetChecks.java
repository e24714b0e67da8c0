package io.dcloud.gateway.dataset;

import io.dcloud.dataset.DatasetEntity;
import io.dcloud.dataset.DatasetIds;
import io.dcloud.dataset.DatasetState;
import io.dcloud.gateway.common.Problem;
import io.dcloud.identity.Caller;
import io.dcloud.spec.EnvironmentSpec.DatasetRef;
import io.dcloud.validation.FieldError;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * The datasets an environment config names must exist, in the version it names ({@code latest} or
 * none: the newest), and be readable by its owner; else the create is refused (422) naming each
 * one that is not. What the environment then mounts is read again where it is deployed.
 */
public final class DatasetChecks {
  static final String FIELD = "dataset";

  private final DatasetAccess access;

  public DatasetChecks(DatasetAccess access) {
    this.access = access;
  }

  public CompletionStage<Void> check(List<DatasetRef> refs, Caller caller) {
    if (refs == null || refs.isEmpty()) {
      return CompletableFuture.completedFuture(null);
    }
    List<CompletableFuture<FieldError>> checks = refs.stream().map(ref -> problemWith(ref, caller).toCompletableFuture())
        .toList();
    return CompletableFuture.allOf(checks.toArray(CompletableFuture[]::new)).thenApply(all -> {
      List<FieldError> errors = checks.stream().map(CompletableFuture::join).filter(Objects::nonNull).toList();
      if (!errors.isEmpty()) {
        throw Problem.invalid(new ArrayList<>(errors)).exception();
      }
      return null;
    });
  }

  /** Null when the owner can read the version; a field error naming it when not. */
  private CompletionStage<FieldError> problemWith(DatasetRef ref, Caller caller) {
    String id = DatasetIds.of(ref.category(), ref.db(), ref.dataset());
    String named = "dataset " + id + (ref.version() == null ? "" : " version " + ref.version());
    boolean wellNamed = DatasetIds.problemWith(ref.category()) == null && DatasetIds.problemWith(ref.db()) == null
        && DatasetIds.problemWith(ref.dataset()) == null;
    if (!wellNamed) {
      return CompletableFuture.completedFuture(missing(named, caller));
    }
    return access.<DatasetState>ask(id, DatasetEntity.Get::new).thenApply(state ->
        DatasetAccess.mayRead(state, caller) && state.pick(ref.version()).isPresent() ? null : missing(named, caller));
  }

  private static FieldError missing(String named, Caller caller) {
    return new FieldError(FIELD, named + " does not exist or is not readable by " + caller.username()
        + " (upload it with PUT /api/v1/datasets/{category}/{db}/{name})");
  }
}
