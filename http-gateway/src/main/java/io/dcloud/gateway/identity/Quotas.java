package io.dcloud.gateway.identity;

import io.dcloud.gateway.common.ClusterAsks;
import io.dcloud.gateway.common.Problem;
import io.dcloud.identity.Caller;
import io.dcloud.identity.IdentitySettings;
import io.dcloud.identity.Quota;
import io.dcloud.identity.UserRegistry;
import io.dcloud.quota.QuotaLedger;
import io.dcloud.resources.Quantities;
import io.dcloud.resources.Resources;
import io.dcloud.validation.FieldError;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletionStage;

/**
 * A user's quota (an admin's override, else their roles' defaults; a directory's user, such as
 * LDAP's, the same once their first sign-in recorded them) and the admission of a create or start
 * against it.
 */
public final class Quotas {
  private final ClusterAsks asks;
  private final IdentitySettings settings;

  public Quotas(ClusterAsks asks, IdentitySettings settings) {
    this.asks = asks;
    this.settings = settings;
  }

  /**
   * Theirs as the registry has it; a caller it has no record of (a token a directory's sign-in gave
   * before DCloud recorded directory users) by the roles their token carries. A stand-in ({@link #owner}) it
   * has no record of (a deleted user) is not limited: whose roles to weigh is unknown, and an admin,
   * who may set anyone's quota, acts for them (as when starting a deleted user's environment to read
   * its files).
   */
  public CompletionStage<Quota> of(Caller caller) {
    return asks.users(replyTo -> new UserRegistry.GetUser(caller.username(), replyTo)).thenApply(reply ->
        reply instanceof UserRegistry.Found found
            ? settings.quotaOf(found.user().roles(), found.user().quota())
            : isStandIn(caller) ? Quota.UNLIMITED : settings.quotaOf(caller.roles(), null));
  }

  /**
   * The owner as the quota weighs them, of what {@code caller} acts on: the caller when it is theirs
   * (or has no owner); else that user by name alone, an admin acting for them.
   */
  public static Caller owner(String owner, Caller caller) {
    return owner == null || owner.equals(caller.username())
        ? caller
        : new Caller(owner, Set.of(), null, null, null, false, Set.of());
  }

  /** Only {@link #owner} makes a caller without a token: every signed-in one has its token's id. */
  private static boolean isStandIn(Caller caller) {
    return caller.tokenId() == null && caller.roles().isEmpty();
  }

  /** Completes when admitted; fails with 403 quota-exceeded (or 503 when usage cannot be read) otherwise. */
  public CompletionStage<Void> admit(Caller caller, String environmentId, Resources resources, boolean created) {
    return admit(caller, of(caller), environmentId, resources, created);
  }

  /** As {@link #admit(Caller, String, Resources, boolean)}, with the caller's quota asked for already ({@link #of}). */
  public CompletionStage<Void> admit(
      Caller caller, CompletionStage<Quota> quota, String environmentId, Resources resources, boolean created) {
    return quota
        .thenCompose(limits -> asks.admit(caller.username(), environmentId, resources, created, limits))
        .thenAccept(decision -> enforce(decision, caller, (created ? "creating" : "starting") + " this environment"));
  }

  /** As {@link #admit} of a create, answering the same refusals, but holding nothing of the quota (a dry run). */
  public CompletionStage<Void> check(Caller caller, Resources resources) {
    return of(caller)
        .thenCompose(quota -> asks.checkQuota(caller.username(), resources, 1, quota, null))
        .thenAccept(decision -> enforce(decision, caller, "creating this environment"));
  }

  /**
   * Whether {@code owner}'s quota has room for {@code environments} more environments holding
   * {@code resources} in all ({@code what} says what asks, in the refusal), refused as {@link #check};
   * once passed, the ledger holds what the service's replicas lack ({@code hold}) until they exist,
   * so two such requests at once cannot both pass a quota with room for one. {@code hint} ends the
   * refusal's detail (empty: nothing more to say).
   */
  public CompletionStage<Void> holdReplicas(
      Caller owner, Resources resources, int environments, QuotaLedger.ServiceHold hold, String what, String hint) {
    return of(owner)
        .thenCompose(quota -> asks.checkQuota(owner.username(), resources, environments, quota, hold))
        .thenAccept(decision -> enforce(decision, owner, what, hint));
  }

  /** Whether {@code owner}'s quota has room for a running environment to grow by {@code growth} (a resize). */
  public CompletionStage<Void> admitGrowth(Caller owner, Resources growth) {
    return of(owner)
        .thenCompose(quota -> asks.checkQuota(owner.username(), growth, 0, quota, null))
        .thenAccept(decision -> enforce(decision, owner, "resizing this environment"));
  }

  private static void enforce(QuotaLedger.Decision decision, Caller caller, String what) {
    enforce(decision, caller, what, "");
  }

  private static void enforce(QuotaLedger.Decision decision, Caller caller, String what, String hint) {
    if (decision.unavailable()) {
      throw Problem.of(Problem.Type.CLUSTER_UNAVAILABLE, "the usage of " + caller.username()
          + " could not be read to check the quota; try again").exception();
    }
    if (!decision.admitted()) {
      List<FieldError> errors = decision.excess().stream().map(Quotas::describe).toList();
      throw Problem.of(Problem.Type.QUOTA_EXCEEDED, what + " would exceed the quota of "
          + caller.username() + ": " + String.join("; ", errors.stream().map(e -> e.field() + " " + e.reason()).toList())
          + hint, errors).exception();
    }
  }

  /** "quota.cpu": "uses 3 of 4, this asks for 2" in the units users write. */
  static FieldError describe(QuotaLedger.Excess excess) {
    return new FieldError("quota." + excess.resource(), "uses " + amount(excess.resource(), excess.used()) + " of "
        + amount(excess.resource(), excess.limit()) + ", this asks for " + amount(excess.resource(), excess.requested()));
  }

  static String amount(String resource, long value) {
    return switch (resource) {
      case "cpu" -> Quantities.formatCores(value);
      case "ram", "storage" -> Quantities.formatSize(value);
      default -> Long.toString(value);
    };
  }
}
