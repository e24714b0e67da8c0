package io.dcloud.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonPointer;
import com.fasterxml.jackson.databind.JsonNode;
import io.dcloud.environment.EnvironmentStatus;
import io.dcloud.gateway.common.Problem;
import io.dcloud.identity.Role;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.Operation;
import io.swagger.v3.oas.models.media.Schema;
import io.swagger.v3.oas.models.security.SecurityScheme;
import io.swagger.v3.parser.OpenAPIV3Parser;
import io.swagger.v3.parser.core.models.ParseOptions;
import io.swagger.v3.parser.core.models.SwaggerParseResult;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The served OpenAPI document against the gateway itself: a real OpenAPI parser reads it without a
 * message, every operation it describes is served (none answers route-not-found or
 * method-not-allowed, and only those it marks public answer without a token), every route of
 * {@link RouteAccessTable} (the whole API) is described, and its enums are the code's.
 * The proxy into environments is described with a server of its own and sent to its own binding:
 * it is served only there, on another port, so that tenants' pages never share the API's origin.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OpenApiDocumentTest {
  private static final String ROOT = "/api/v1";
  private static final String NOT_SERVED = "urn:dcloud:problem:route-not-found";
  private static final String NO_SUCH_METHOD = "urn:dcloud:problem:method-not-allowed";

  private GatewayTestCluster cluster;
  private Api admin;
  private OpenAPI document;
  private JsonNode tree;
  private URI proxyBase;

  @BeforeAll
  void start() throws Exception {
    cluster = new GatewayTestCluster("OpenApiDocumentTest");
    proxyBase = GatewayTestCluster.uri(HttpGateway.startBoth(cluster.testKit.system(), cluster.backends, cluster.settings())
        .toCompletableFuture().get(20, TimeUnit.SECONDS).proxy());
    admin = Api.admin(cluster.base);
    Api.Answer served = new Api(cluster.base).get(ROOT + "/openapi.json");
    assertThat(served.status()).as(served.body()).isEqualTo(200);
    assertThat(served.contentType()).isEqualTo("application/json");
    tree = served.json();
    ParseOptions options = new ParseOptions();
    options.setResolve(true);
    // Inlines every $ref: a dangling one is a message, and the checks below read answers directly.
    options.setResolveFully(true);
    SwaggerParseResult parsed = new OpenAPIV3Parser().readContents(served.body(), null, options);
    assertThat(parsed.getMessages()).as("the parser's messages").isEmpty();
    document = parsed.getOpenAPI();
    assertThat(document).isNotNull();
  }

  @AfterAll
  void stop() {
    cluster.close();
  }

  /** One operation of the document: its method and path template. */
  record Op(String method, String template) implements Comparable<Op> {
    @Override
    public int compareTo(Op other) {
      return Comparator.comparing(Op::template).thenComparing(Op::method).compare(this, other);
    }

    @Override
    public String toString() {
      return method + " " + template;
    }
  }

  private Map<Op, Operation> operations() {
    Map<Op, Operation> operations = new java.util.TreeMap<>();
    document.getPaths().forEach((template, item) -> item.readOperationsMap().forEach((method, operation) ->
        operations.put(new Op(method.name(), template), operation)));
    return operations;
  }

  @Test
  void describesTheApiUnderItsVersionedRoot() {
    assertThat(document.getOpenapi()).startsWith("3.0");
    assertThat(document.getServers()).singleElement().satisfies(server -> assertThat(server.getUrl()).isEqualTo(ROOT));
  }

  /** The parser leaves a $ref to nothing in place without a message: each must point into the document. */
  @Test
  void everyReferenceResolves() {
    List<String> refs = new ArrayList<>();
    collectRefs(tree, refs);
    assertThat(refs).isNotEmpty().allSatisfy(ref -> {
      assertThat(ref).startsWith("#/");
      assertThat(tree.at(JsonPointer.compile(ref.substring(1))).isMissingNode()).as("%s points to nothing", ref).isFalse();
    });
  }

  private static void collectRefs(JsonNode node, List<String> refs) {
    if (node.isObject() && node.path("$ref").isTextual()) {
      refs.add(node.path("$ref").asText());
    }
    node.forEach(child -> collectRefs(child, refs));
  }

  @Test
  void everyDescribedOperationIsServedAndOnlyThePublicOnesWithoutAToken() {
    List<String> failures = new ArrayList<>();
    operations().forEach((op, operation) -> {
      String path = ROOT + concrete(op.template());
      // The proxy is described with a server of its own: its own binding, on another port (see HttpGateway).
      URI base = document.getPaths().get(op.template()).getServers() == null ? cluster.base : proxyBase;
      Api anonymous = new Api(base);
      // Signing out would end the admin's session for the operations after it.
      Api caller = (op.template().equals("/auth/logout") ? Api.admin(cluster.base) : admin).at(base);
      Api.Answer answer = send(caller, op.method(), path);
      String type = answer.status() >= 400 ? answer.json().path("type").asText() : "";
      if (answer.status() == 405 || type.equals(NOT_SERVED) || type.equals(NO_SUCH_METHOD)) {
        failures.add(op + " is described but not served: " + answer.status() + " " + answer.body());
      }
      boolean isPublic = operation.getSecurity() != null && operation.getSecurity().isEmpty();
      int anonymousStatus = send(anonymous, op.method(), path).status();
      if (isPublic == (anonymousStatus == 401)) {
        failures.add(op + (isPublic ? " is described as public but answers 401 without a token"
            : " is described as needing a token but answers " + anonymousStatus + " without one"));
      }
    });
    assertThat(failures).isEmpty();
  }

  @Test
  void everyRouteOfTheAccessMatrixIsDescribedAndEveryDescribedOneIsInTheMatrix() {
    Set<Op> described = operations().keySet();
    Set<Op> covered = new TreeSet<>();
    List<String> undescribed = new ArrayList<>();
    for (RouteAccessRow row : RouteAccessTable.routes()) {
      String path = row.path.replaceAll("\\?.*", "");
      // The console's files are not API routes: served outside /api/v1, they are not described.
      if (path.equals("/no-such-route") || row.console) {
        continue;
      }
      // The most literal template wins: /users/me is not /users/{username}.
      Optional<Op> match = described.stream()
          .filter(op -> op.method().equals(row.method) && matches(op.template(), path))
          .min(Comparator.comparingInt(op -> op.template().split("\\{", -1).length));
      match.ifPresentOrElse(covered::add, () -> undescribed.add(row.method + " " + row.path));
    }
    assertThat(undescribed).as("routes the gateway serves that the document does not describe").isEmpty();
    assertThat(new TreeSet<>(described)).as("operations described but not in RouteAccessTable")
        .containsExactlyElementsOf(covered);
  }

  @Test
  void theProblemTypesAndEnumsAreTheCodes() {
    Map<String, Schema> schemas = document.getComponents().getSchemas();
    Schema<?> problem = schemas.get("Problem");
    assertThat(problem.getProperties().get("type").getEnum())
        .containsExactlyElementsOf(Arrays.stream(Problem.Type.values()).map(Problem.Type::uri).toList());
    assertThat(schemas.get("EnvironmentStatus").getEnum())
        .containsExactlyElementsOf(Arrays.stream(EnvironmentStatus.values()).map(Enum::name).toList());
    assertThat(schemas.get("Role").getEnum())
        .containsExactlyElementsOf(Arrays.stream(Role.values()).map(Role::wireName).toList());
    // Every operation answers its failures as problem+json.
    operations().forEach((op, operation) -> assertThat(operation.getResponses().getDefault())
        .as("%s's default answer", op).isNotNull()
        .satisfies(answer -> assertThat(answer.getContent()).containsOnlyKeys("application/problem+json")));
  }

  @Test
  void everyBodyButAnUploadIsJsonOrYamlAndBothSignInsAreDescribed() {
    operations().forEach((op, operation) -> {
      // Uploads are files, not documents.
      if (operation.getRequestBody() != null && !Set.of("putFiles", "putDataset", "pushModel", "pushApp").contains(operation.getOperationId())) {
        assertThat(operation.getRequestBody().getContent()).as("%s's body", op)
            .containsOnlyKeys("application/json", "application/yaml");
      }
    });
    Map<String, SecurityScheme> schemes = document.getComponents().getSecuritySchemes();
    assertThat(schemes.get("bearer").getType()).isEqualTo(SecurityScheme.Type.HTTP);
    assertThat(schemes.get("bearer").getScheme()).isEqualTo("bearer");
    assertThat(schemes.get("bearer").getBearerFormat()).isEqualTo("JWT");
    assertThat(schemes.get("sessionCookie").getIn()).isEqualTo(SecurityScheme.In.COOKIE);
    assertThat(schemes.get("sessionCookie").getName()).isEqualTo("dcloud_session");
    assertThat(schemes.get("csrfToken").getIn()).isEqualTo(SecurityScheme.In.HEADER);
    assertThat(schemes.get("csrfToken").getName()).isEqualTo("X-CSRF-Token");
    assertThat(document.getSecurity()).hasSize(2);
  }

  /** Whether a concrete path (or one with the matrix's {placeholders}) fits a path template. */
  private static boolean matches(String template, String path) {
    String regex = Arrays.stream(template.split("/", -1))
        .map(segment -> segment.startsWith("{") ? "[^/]+" : Pattern.quote(segment))
        .reduce((a, b) -> a + "/" + b).orElse("");
    return path.matches(regex);
  }

  /** Environment ids are UUIDs, ports numbers; other parameters name nothing that exists, so nothing is changed. */
  private static String concrete(String template) {
    return template.replace("{id}", UUID.randomUUID().toString()).replace("{port}", "8888")
        .replaceAll("\\{([^}]+)}", "no-such-$1");
  }

  /** Bodies as text, but an event stream's (it never ends): closed at once and read as "". */
  private static final HttpResponse.BodyHandler<String> STREAMS_CLOSED = info ->
      info.headers().firstValue("content-type").orElse("").startsWith("text/event-stream")
          ? HttpResponse.BodySubscribers.mapping(HttpResponse.BodySubscribers.ofInputStream(), OpenApiDocumentTest::closed)
          : HttpResponse.BodySubscribers.ofString(StandardCharsets.UTF_8);

  private static String closed(InputStream stream) {
    try {
      stream.close();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return "";
  }

  private static Api.Answer send(Api api, String method, String path) {
    HttpRequest request = api.request(path).method(method, HttpRequest.BodyPublishers.noBody()).build();
    try {
      HttpResponse<String> response = api.http.send(request, STREAMS_CLOSED);
      return new Api.Answer(response.statusCode(), response);
    } catch (IOException e) {
      throw new AssertionError(method + " " + path + " failed", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }
}
