package io.dcloud.gateway.catalog;

import com.fasterxml.jackson.databind.JsonNode;
import io.dcloud.catalog.Catalog;
import io.dcloud.catalog.CatalogParser;
import io.dcloud.gateway.common.ApiPaths;
import io.dcloud.gateway.common.AuditLog;
import io.dcloud.gateway.common.CallerAttribute;
import io.dcloud.gateway.common.ClusterAsks;
import io.dcloud.gateway.common.JsonYaml;
import io.dcloud.gateway.common.RequestBodies;
import io.dcloud.gateway.identity.Authentication;
import io.dcloud.identity.Caller;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code /catalog}: the admin-owned library catalog in its contract form. A replacement is
 * validated here, whole, before the registry stores it: the registry trusts what it is sent.
 */
public final class CatalogRoutes extends AllDirectives {
  private static final Logger log = LoggerFactory.getLogger(CatalogRoutes.class);

  private final ClusterAsks asks;
  private final JsonYaml codec;
  private final RequestBodies bodies;

  private final AuditLog audit;

  public CatalogRoutes(ClusterAsks asks, JsonYaml codec, RequestBodies bodies, AuditLog audit) {
    this.audit = audit;
    this.asks = asks;
    this.codec = codec;
    this.bodies = bodies;
  }

  /** Everyone reads the catalog (the new-environment form needs it); configurers and admins replace it. */
  public Route route() {
    return pathPrefix(ApiPaths.CATALOG, () -> CallerAttribute.of(caller -> pathEndOrSingleSlash(() -> concat(
        get(() -> completeWithFuture(asks.catalog().thenApply(this::answer))),
        put(() -> Authentication.requireAny(caller, Authentication.CONFIGURERS, () ->
            bodies.document(contract -> replace(contract, caller))))))));
  }

  private Route replace(JsonNode contract, Caller caller) {
    Catalog catalog = CatalogParser.parse(contract);
    return completeWithFuture(asks.replaceCatalog(catalog).thenApply(done -> {
      log.info("Catalog replaced by {}: OSes {}", caller.username(), catalog.entries().stream().map(Catalog.OsEntry::os).toList());
      audit.record(caller, "catalog.replace", null, "ok");
      return answer(catalog);
    }));
  }

  private HttpResponse answer(Catalog catalog) {
    return codec.jsonResponse(StatusCodes.OK, CatalogParser.toContract(catalog, codec.mapper()));
  }
}
