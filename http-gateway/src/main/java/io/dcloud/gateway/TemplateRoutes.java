package io.dcloud.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import io.dcloud.environment.SpecLimits;
import io.dcloud.resources.Resources;
import io.dcloud.template.Template;
import io.dcloud.template.TemplateMerge;
import io.dcloud.template.TemplateRegistry;
import java.util.Optional;
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
final class TemplateRoutes extends AllDirectives {
  private static final Logger log = LoggerFactory.getLogger(TemplateRoutes.class);

  private final ClusterAsks asks;
  private final JsonYaml codec;
  private final RequestBodies bodies;
  private final EnvironmentCreation creation;
  private final Resources defaults;
  private final SpecLimits limits;

  TemplateRoutes(
      ClusterAsks asks, JsonYaml codec, RequestBodies bodies, EnvironmentCreation creation, Resources defaults,
      SpecLimits limits) {
    this.asks = asks;
    this.codec = codec;
    this.bodies = bodies;
    this.creation = creation;
    this.defaults = defaults;
    this.limits = limits;
  }

  Route route() {
    return pathPrefix(ApiPaths.TEMPLATES, () -> concat(
        pathEndOrSingleSlash(() -> concat(
            get(this::list),
            post(() -> bodies.document(body -> completeWithFuture(create(body)))))),
        pathPrefix(PathMatchers.segment(), name -> concat(
            pathEndOrSingleSlash(() -> concat(
                get(() -> completeWithFuture(show(name))),
                put(() -> bodies.document(body -> completeWithFuture(save(name, body)))),
                delete(() -> completeWithFuture(remove(name))))),
            path(ApiPaths.ENVIRONMENTS, () -> post(() -> bodies.optionalDocument(overrides ->
                completeWithFuture(instantiate(name, overrides)))))))));
  }

  private Route list() {
    return completeWithFuture(asks.<TemplateRegistry.Templates>templates(TemplateRegistry.ListTemplates::new)
        .thenApply(templates -> codec.jsonResponse(StatusCodes.OK,
            new TemplateJson.Listing(templates.templates().stream().map(TemplateJson::of).toList()))));
  }

  private CompletionStage<HttpResponse> show(String name) {
    return existing(name).thenApply(template -> codec.jsonResponse(StatusCodes.OK, TemplateJson.of(template)));
  }

  /** POST: a new name only; replacing is PUT's job, so a typo cannot overwrite someone's template. */
  private CompletionStage<HttpResponse> create(JsonNode body) {
    Template template = TemplateRequests.parse(body, Optional.empty(), defaults, limits);
    return lookup(template.name()).thenCompose(found -> {
      if (found.template() != null) {
        throw Problem.conflict("template " + template.name() + " already exists: PUT "
            + ApiPaths.template(template.name()) + " replaces it").exception();
      }
      return checkedAndSaved(template);
    });
  }

  /** PUT: create or replace; 201 when it was new, 200 when it replaced one. */
  private CompletionStage<HttpResponse> save(String name, JsonNode body) {
    return checkedAndSaved(TemplateRequests.parse(body, Optional.of(name), defaults, limits));
  }

  private CompletionStage<HttpResponse> checkedAndSaved(Template template) {
    return asks.catalog()
        .thenAccept(catalog -> TemplateRequests.checkAgainst(catalog, template, defaults, limits))
        .thenCompose(checked -> asks.<TemplateRegistry.Saved>templates(
            replyTo -> new TemplateRegistry.SaveTemplate(template, replyTo)))
        .thenApply(saved -> {
          log.info("Template {} {} through the API", template.name(), saved.created() ? "created" : "replaced");
          HttpResponse response = codec.jsonResponse(
              saved.created() ? StatusCodes.CREATED : StatusCodes.OK, TemplateJson.of(saved.template()));
          return saved.created() ? response.addHeader(Location.create(ApiPaths.template(template.name()))) : response;
        });
  }

  private CompletionStage<HttpResponse> remove(String name) {
    if (!TemplateRequests.isValidName(name)) {
      return CompletableFuture.failedFuture(notFound(name).exception());
    }
    return asks.<TemplateRegistry.Lookup>templates(replyTo -> new TemplateRegistry.DeleteTemplate(name, replyTo))
        .thenApply(deleted -> {
          if (deleted.template() == null) {
            throw notFound(name).exception();
          }
          log.info("Template {} deleted through the API", name);
          return HttpResponse.create().withStatus(StatusCodes.NO_CONTENT);
        });
  }

  /** The template's config with the overrides merged in, created like any other environment. */
  private CompletionStage<HttpResponse> instantiate(String name, JsonNode overrides) {
    return existing(name).thenCompose(template ->
        creation.create(TemplateMerge.apply(template.spec(), overrides), null, "from template " + name));
  }

  private CompletionStage<Template> existing(String name) {
    return lookup(name).thenApply(found -> {
      if (found.template() == null) {
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
