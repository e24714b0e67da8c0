package io.dcloud.gateway.catalog;

import com.fasterxml.jackson.databind.JsonNode;
import io.dcloud.environment.SpecLimits;
import io.dcloud.gateway.common.ApiPaths;
import io.dcloud.gateway.common.AuditLog;
import io.dcloud.gateway.common.CallerAttribute;
import io.dcloud.gateway.common.ClusterAsks;
import io.dcloud.gateway.common.JsonYaml;
import io.dcloud.gateway.common.Problem;
import io.dcloud.gateway.common.RequestBodies;
import io.dcloud.gateway.environment.EnvironmentCreation;
import io.dcloud.gateway.identity.Authentication;
import io.dcloud.identity.Caller;
import io.dcloud.identity.Role;
import io.dcloud.resources.Resources;
import io.dcloud.template.Template;
import io.dcloud.template.TemplateMerge;
import io.dcloud.template.TemplateRegistry;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.headers.Location;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.PathMatchers;
import org.apache.pekko.http.javadsl.server.Route;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code /templates}: named environment configs (list, show, create, create-or-replace, delete)
 * and their instantiation with overrides into a new environment.
 */
public final class TemplateRoutes extends AllDirectives {
  private static final Logger log = LoggerFactory.getLogger(TemplateRoutes.class);

  private final ClusterAsks asks;
  private final JsonYaml codec;
  private final RequestBodies bodies;
  private final EnvironmentCreation creation;
  private final Resources defaults;
  private final AuditLog audit;
  private final SpecLimits limits;

  public TemplateRoutes(
      ClusterAsks asks, JsonYaml codec, RequestBodies bodies, EnvironmentCreation creation, Resources defaults,
      SpecLimits limits, AuditLog audit) {
    this.audit = audit;
    this.asks = asks;
    this.codec = codec;
    this.bodies = bodies;
    this.creation = creation;
    this.defaults = defaults;
    this.limits = limits;
  }

  /**
   * Everyone reads the built-in templates; users who create environments save their own (names are
   * global; another's answers 404); configurers and admins also change the built-in ones.
   */
  public Route route() {
    Set<Role> writers = Set.of(Role.DATA_SCIENTIST, Role.APP_DEVELOPER, Role.PLATFORM_CONFIGURER);
    return pathPrefix(ApiPaths.TEMPLATES, () -> CallerAttribute.of(caller -> concat(
        pathEndOrSingleSlash(() -> concat(
            get(() -> list(caller)),
            post(() -> Authentication.requireAny(caller, writers, () ->
                bodies.document(body -> completeWithFuture(create(body, caller))))))),
        pathPrefix(PathMatchers.segment(), name -> concat(
            pathEndOrSingleSlash(() -> concat(
                get(() -> completeWithFuture(show(name, caller))),
                put(() -> Authentication.requireAny(caller, writers, () ->
                    bodies.document(body -> completeWithFuture(save(name, body, caller))))),
                delete(() -> completeWithFuture(remove(name, caller))))),
            path(ApiPaths.ENVIRONMENTS, () -> post(() -> Authentication.requireAny(caller, Authentication.CREATORS, () ->
                optionalHeaderValueByName(EnvironmentCreation.IDEMPOTENCY_KEY, key -> bodies.optionalDocument(overrides ->
                    completeWithFuture(instantiate(name, overrides, key.orElse(null), caller))))))))))));
  }

  private static boolean visible(Template template, Caller caller) {
    return template.builtIn() || caller.mayAccess(template.owner());
  }

  /** Built-in ones by configurers and admins; a user's own by them (and admins). */
  private static boolean writable(Template template, Caller caller) {
    return template.builtIn() ? caller.hasAny(Authentication.CONFIGURERS) : caller.mayAccess(template.owner());
  }

  private Route list(Caller caller) {
    return completeWithFuture(asks.<TemplateRegistry.Templates>templates(TemplateRegistry.ListTemplates::new)
        .thenApply(templates -> codec.jsonResponse(StatusCodes.OK,
            new TemplateJson.Listing(templates.templates().stream()
                .filter(template -> visible(template, caller))
                .map(TemplateJson::of).toList()))));
  }

  private CompletionStage<HttpResponse> show(String name, Caller caller) {
    return existing(name, caller).thenApply(template -> codec.jsonResponse(StatusCodes.OK, TemplateJson.of(template)));
  }

  /** POST: a new name only; replacing is PUT's job, so a typo cannot overwrite someone's template. */
  private CompletionStage<HttpResponse> create(JsonNode body, Caller caller) {
    Template parsed = TemplateRequests.parse(body, Optional.empty(), defaults, limits);
    Template template = new Template(parsed.name(), parsed.description(), parsed.spec(), caller.username());
    return lookup(template.name()).thenCompose(found -> {
      if (found.template() != null) {
        throw Problem.conflict("template " + template.name() + " already exists"
            + (visible(found.template(), caller) ? ": PUT " + ApiPaths.template(template.name()) + " replaces it" : ""))
            .exception();
      }
      return checkedAndSaved(template, caller);
    });
  }

  /**
   * PUT: create or replace; 201 when it was new, 200 when it replaced one. A replaced template
   * keeps its owner; another user's answers 404, a built-in one 403 unless the caller configures
   * the platform.
   */
  private CompletionStage<HttpResponse> save(String name, JsonNode body, Caller caller) {
    Template parsed = TemplateRequests.parse(body, Optional.of(name), defaults, limits);
    return lookup(name).thenCompose(found -> {
      Template existing = found.template();
      if (existing != null && !visible(existing, caller)) {
        throw notFound(name).exception();
      }
      if (existing != null && !writable(existing, caller)) {
        throw Problem.of(Problem.Type.FORBIDDEN, "template " + name
            + " is one of the platform's: only platform configurers and admins change it").exception();
      }
      String owner = existing == null ? caller.username() : existing.owner();
      return checkedAndSaved(new Template(parsed.name(), parsed.description(), parsed.spec(), owner), caller);
    });
  }

  private CompletionStage<HttpResponse> checkedAndSaved(Template template, Caller caller) {
    return asks.catalog()
        .thenAccept(catalog -> TemplateRequests.checkAgainst(catalog, template, defaults, limits))
        .thenCompose(checked -> asks.<TemplateRegistry.Saved>templates(
            replyTo -> new TemplateRegistry.SaveTemplate(template, replyTo)))
        .thenApply(saved -> {
          log.info("Template {} {} by {}", template.name(), saved.created() ? "created" : "replaced", caller.username());
          audit.record(caller, saved.created() ? "template.create" : "template.replace", template.name(), "ok");
          HttpResponse response = codec.jsonResponse(
              saved.created() ? StatusCodes.CREATED : StatusCodes.OK, TemplateJson.of(saved.template()));
          return saved.created() ? response.addHeader(Location.create(ApiPaths.template(template.name()))) : response;
        });
  }

  private CompletionStage<HttpResponse> remove(String name, Caller caller) {
    if (!TemplateRequests.isValidName(name)) {
      return CompletableFuture.failedFuture(notFound(name).exception());
    }
    return existing(name, caller)
        .thenAccept(template -> {
          if (!writable(template, caller)) {
            throw Problem.of(Problem.Type.FORBIDDEN, "template " + name
                + " is one of the platform's: only platform configurers and admins delete it").exception();
          }
        })
        .thenCompose(allowed -> asks.<TemplateRegistry.Lookup>templates(replyTo -> new TemplateRegistry.DeleteTemplate(name, replyTo)))
        .thenApply(deleted -> {
          if (deleted.template() == null) {
            throw notFound(name).exception();
          }
          log.info("Template {} deleted by {}", name, caller.username());
          audit.record(caller, "template.delete", name, "ok");
          return HttpResponse.create().withStatus(StatusCodes.NO_CONTENT);
        });
  }

  /**
   * The template's config with the overrides merged in, created like any other environment (with an
   * Idempotency-Key as a retried create: the same key, the same environment).
   */
  private CompletionStage<HttpResponse> instantiate(String name, JsonNode overrides, String idempotencyKey, Caller caller) {
    return existing(name, caller).thenCompose(template ->
        creation.create(TemplateMerge.apply(template.spec(), overrides), idempotencyKey, "from template " + name, caller));
  }

  /** The template if the caller may see it; 404 otherwise. */
  private CompletionStage<Template> existing(String name, Caller caller) {
    return lookup(name).thenApply(found -> {
      if (found.template() == null || !visible(found.template(), caller)) {
        throw notFound(name).exception();
      }
      return found.template();
    });
  }

  private CompletionStage<TemplateRegistry.Lookup> lookup(String name) {
    if (!TemplateRequests.isValidName(name)) {
      return CompletableFuture.completedFuture(new TemplateRegistry.Lookup(name, null));
    }
    return asks.templates(replyTo -> new TemplateRegistry.GetTemplate(name, replyTo));
  }

  private static Problem notFound(String name) {
    return Problem.notFound("template " + name);
  }
}
