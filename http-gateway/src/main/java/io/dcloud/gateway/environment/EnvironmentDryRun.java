package io.dcloud.gateway.environment;

import com.fasterxml.jackson.databind.JsonNode;
import io.dcloud.contracts.ImageRecipe;
import io.dcloud.environment.EnvironmentContractWriter;
import io.dcloud.gateway.common.ClusterAsks;
import io.dcloud.gateway.common.GatewaySettings;
import io.dcloud.gateway.common.JsonYaml;
import io.dcloud.gateway.common.Problem;
import io.dcloud.gateway.common.ProblemExceptions;
import io.dcloud.gateway.identity.Quotas;
import io.dcloud.identity.Caller;
import io.dcloud.scheduler.PlacementPreview;
import io.dcloud.spec.EnvironmentSpec;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code POST /environments?dryRun=true}: everything a create checks — the same parser and its 422,
 * datasets, catalog, quota — and what it would make, but nothing is created, reserved, queued or
 * persisted (the quota and the scheduler are asked read-only questions), so it is not audited.
 * Placement that could never succeed is an answer here ({@code never}), not a refusal: the point is
 * to see it before submitting.
 */
final class EnvironmentDryRun {
  private static final Logger log = LoggerFactory.getLogger(EnvironmentDryRun.class);

  static final String PARAMETER = "dryRun";

  private final ClusterAsks asks;
  private final JsonYaml codec;
  private final EnvironmentCreation creation;
  private final Quotas quotas;

  EnvironmentDryRun(ClusterAsks asks, JsonYaml codec, EnvironmentCreation creation, Quotas quotas) {
    this.asks = asks;
    this.codec = codec;
    this.creation = creation;
    this.quotas = quotas;
  }

  /** {@code dryRun=true} asks for one, absent or {@code false} for a real create; anything else is a 400 naming the parameter. */
  static boolean requested(Optional<String> value) {
    if (value.isEmpty()) {
      return false;
    }
    return switch (value.get().strip().toLowerCase(Locale.ROOT)) {
      case "true" -> true;
      case "false" -> false;
      default -> throw Problem.of(
              Problem.Type.MALFORMED_REQUEST, "dryRun is true or false", PARAMETER,
              EnvironmentRoutes.quote(value.get()) + " is not true or false")
          .exception();
    };
  }

  /** 200 with {@link DryRunJson}; a failed stage carries the same 4xx problem a create would answer. */
  CompletionStage<HttpResponse> answer(JsonNode contract, Caller caller) {
    EnvironmentSpec parsed;
    try {
      parsed = creation.parse(contract);
    } catch (RuntimeException invalid) {
      return CompletableFuture.failedFuture(invalid);
    }
    // Kept volumes first (none: at once): where they are is where the environment would go.
    return creation.withKeptVolumesFound(parsed, caller).thenCompose(spec -> {
      // Asked at once, as a create asks its feasibility: one round trip alongside the catalog's.
      CompletionStage<DryRunJson.Placement> placement = placement(spec, caller);
      return creation.recipe(spec, caller)
          .thenCompose(recipe -> quotas.check(caller, spec.resources())
              .thenCompose(admitted -> placement)
              .thenApply(where -> {
                log.debug("Dry run of environment {} by {}: placement {} ({})", spec.name(), caller.username(),
                    where.outcome(), where.reason());
                return codec.jsonResponse(StatusCodes.OK, answer(spec, recipe, where));
              }));
    });
  }

  private DryRunJson answer(EnvironmentSpec spec, ImageRecipe recipe, DryRunJson.Placement placement) {
    JsonNode written = EnvironmentContractWriter.toContract(spec, codec.mapper());
    return new DryRunJson(written, codec.toYamlDocuments(List.of(written)), recipe.dockerfile(), placement);
  }

  /** The scheduler's answer; when it cannot be had, {@code unknown} with why (the rest of the dry run still stands). */
  private CompletionStage<DryRunJson.Placement> placement(EnvironmentSpec spec, Caller caller) {
    return asks.placementPreview(EnvironmentCreation.placementRequest(spec))
        .thenApply(EnvironmentDryRun::placement)
        .exceptionally(failure -> {
          String reason = ProblemExceptions.timedOut(failure)
              ? "the scheduler did not answer within " + GatewaySettings.describe(asks.timeout()) + "; try again"
              : "the scheduler could not be asked (" + ProblemExceptions.unwrap(failure).getMessage() + "); try again";
          log.warn("Dry run of environment {} by {}: no placement: {}", spec.name(), caller.username(), reason);
          return new DryRunJson.Placement(DryRunJson.Placement.UNKNOWN, null, List.of(), reason);
        });
  }

  private static DryRunJson.Placement placement(PlacementPreview preview) {
    return new DryRunJson.Placement(
        preview.outcome().name().toLowerCase(Locale.ROOT), preview.nodeId(), preview.gpuUuids(), preview.reason());
  }
}
