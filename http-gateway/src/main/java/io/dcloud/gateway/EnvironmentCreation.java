package io.dcloud.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import io.dcloud.catalog.DockerfileGenerator;
import io.dcloud.catalog.ImageRecipe;
import io.dcloud.scheduler.PlacementRequest;
import io.dcloud.environment.EnvironmentEntity;
import io.dcloud.environment.EnvironmentSpec;
import io.dcloud.environment.EnvironmentSpecParser;
import io.dcloud.environment.Quantities;
import io.dcloud.environment.Resources;
import java.nio.charset.StandardCharsets;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.headers.Location;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns an environment config in contract form into a new environment: validate it, check it
 * against the catalog and generate its Dockerfile, then create its entity under a fresh id. Shared
 * by {@code POST /environments} and template instantiation, so both refuse exactly the same inputs
 * and nothing is created unless every check passed.
 */
final class EnvironmentCreation {
  private static final Logger log = LoggerFactory.getLogger(EnvironmentCreation.class);

  private final ClusterAsks asks;
  private final JsonYaml codec;
  private final Resources defaults;

  EnvironmentCreation(ClusterAsks asks, JsonYaml codec, Resources defaults) {
    this.asks = asks;
    this.codec = codec;
    this.defaults = defaults;
  }

  /**
   * A client that may retry a create (after a timeout, say) sends this header: the same key always
   * names the same environment, so a retried create answers with it instead of making another.
   */
  static final String IDEMPOTENCY_KEY = "Idempotency-Key";

  /**
   * 202 with the environment and its Location; a failed stage carries the 4xx problem.
   * {@code idempotencyKey} (nullable) makes the environment id a function of the key.
   */
  CompletionStage<HttpResponse> create(JsonNode contract, String idempotencyKey, String origin) {
    EnvironmentSpec spec;
    try {
      spec = EnvironmentSpecParser.parse(contract, defaults);
    } catch (RuntimeException invalid) {
      return CompletableFuture.failedFuture(invalid);
    }
    return asks.catalog()
        .thenApply(catalog -> DockerfileGenerator.generate(catalog, spec))
        .thenCompose(recipe -> asks.feasibility(new PlacementRequest("new", spec.resources(), spec.constraints()))
            .thenCompose(feasibility -> {
              if (!feasibility.feasible()) {
                throw Problem.of(Problem.Type.UNSCHEDULABLE, feasibility.reason(), "resources", feasibility.reason()).exception();
              }
              return createEntity(environmentId(idempotencyKey), spec, recipe, origin);
            }));
  }

  private static String environmentId(String idempotencyKey) {
    return idempotencyKey == null
        ? UUID.randomUUID().toString()
        : UUID.nameUUIDFromBytes(("dcloud-create:" + idempotencyKey).getBytes(StandardCharsets.UTF_8)).toString();
  }

  private CompletionStage<HttpResponse> createEntity(String id, EnvironmentSpec spec, ImageRecipe recipe, String origin) {
    return asks.<EnvironmentEntity.Reply>environment(id, replyTo -> new EnvironmentEntity.Create(spec, recipe, replyTo))
        .thenApply(reply -> {
          if (reply instanceof EnvironmentEntity.Ok ok) {
            log.info(
                "Environment {} ({}) requested {}: os {}, {} and {} RAM, image {}", id, spec.name(), origin, spec.os(),
                Quantities.describeCores(spec.resources().milliCpus()),
                Quantities.describeBytes(spec.resources().memoryBytes()), recipe.tag());
            return codec.jsonResponse(StatusCodes.ACCEPTED, EnvironmentJson.of(ok.view(), codec.mapper()))
                .addHeader(Location.create(ApiPaths.environment(id)));
          }
          throw EnvironmentReplies.problemFor(id, reply).exception();
        });
  }
}
