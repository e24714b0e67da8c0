package io.dcloud.gateway;

import static io.dcloud.gateway.RouteAccessMatrixTest.Who.ADMIN;
import static io.dcloud.gateway.RouteAccessMatrixTest.Who.ANONYMOUS;
import static io.dcloud.gateway.RouteAccessMatrixTest.Who.APP_DEVELOPER;
import static io.dcloud.gateway.RouteAccessMatrixTest.Who.CONFIGURER;
import static io.dcloud.gateway.RouteAccessMatrixTest.Who.DATA_SCIENTIST;
import static io.dcloud.gateway.RouteAccessMatrixTest.Who.END_USER;
import static io.dcloud.gateway.RouteAccessMatrixTest.Who.OTHER_DATA_SCIENTIST;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dcloud.device.DeviceCommands;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.apache.pekko.Done;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every route of the API against every kind of caller, one case per cell: anonymous callers get
 * 401 everywhere but sign-in, health, the API's description and the console's files, a role that may not gets 403, and another user's
 * environment, template or token answers 404 exactly like one that does not exist (ids are not
 * disclosed), unless it is shared with a group of the caller's (then reads answer, changes 403). The environment, template and token {@link Who#DATA_SCIENTIST} owns are the targets;
 * {@code {fresh-…}} placeholders make a new one for each cell whose request changes or deletes it.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RouteAccessMatrixTest {
  private static final Duration READ_SIDE_WAIT = Duration.ofSeconds(10);
  private static final String BUILT_IN = "pytorch";
  /** alice's and bob's group, made before they sign in so their tokens carry it. */
  private static final String LAB = "matrix-lab";

  enum Who {
    ANONYMOUS(null, null),
    END_USER("erin", "end-user"),
    DATA_SCIENTIST("alice", "data-scientist"),
    OTHER_DATA_SCIENTIST("bob", "data-scientist"),
    APP_DEVELOPER("dave", "app-developer"),
    CONFIGURER("carl", "platform-configurer"),
    ADMIN("admin", "admin");

    final String username;
    final String role;

    Who(String username, String role) {
      this.username = username;
      this.role = role;
    }

    String password() {
      return this == ADMIN ? GatewayTestCluster.ADMIN_PASSWORD : "password-of-" + username;
    }

    @Override
    public String toString() {
      return this == ANONYMOUS ? "anonymous" : username + " (" + role + ")";
    }
  }

  /** One route: what to send, and the status each caller gets (anonymous: 401 unless said otherwise). */
  static final class Row {
    final String method;
    final String path;
    String body;
    boolean stream;
    boolean freshSession;
    boolean proxy;
    boolean console;
    final Map<Who, Integer> expected = new EnumMap<>(Who.class);

    Row(String method, String path) {
      this.method = method;
      this.path = path;
      expected.put(ANONYMOUS, 401);
    }

    Row body(String json) {
      this.body = json;
      return this;
    }

    Row allow(int status, Who... callers) {
      for (Who who : callers) {
        expected.put(who, status);
      }
      return this;
    }

    /** Everyone not named yet. */
    Row otherwise(int status) {
      for (Who who : Who.values()) {
        expected.putIfAbsent(who, status);
      }
      return this;
    }

    /** The body is an event stream that does not end: only the status and type are read. */
    Row streaming() {
      this.stream = true;
      return this;
    }

    /** Sent to the proxy's binding (dcloud.http.proxy.port), the only one that serves it. */
    Row onProxy() {
      this.proxy = true;
      return this;
    }

    /**
     * The web console's files, outside {@code /api/v1}: not API routes (no OpenAPI operation, see
     * OpenApiDocumentTest), public to everyone because the sign-in page must load without a token,
     * and the same static files whoever asks (ConsoleRouteTest: they hold no API data).
     */
    Row console() {
      this.console = true;
      expected.remove(ANONYMOUS);
      return this;
    }

    /** The request ends the caller's session, so each cell signs in anew for it. */
    Row ownSession() {
      this.freshSession = true;
      return this;
    }
  }

  record Cell(Row row, Who who, int expected) {
    @Override
    public String toString() {
      return row.method + " " + row.path + " as " + who + " -> " + expected;
    }
  }

  private static Row row(String method, String path) {
    return new Row(method, path);
  }

  private static final String ENVIRONMENT = Seeds.debianEnvironment("matrix");
  private static final String SERVICE = "{\"name\": \"{name}\", \"kind\": \"app\", \"environment\": "
      + "{\"env-name\": \"t\", \"os\": \"debian\", \"resources\": {\"ram\": \"512M\", \"cpu\": \"0.5\"}, \"port-publish\": [{\"internal\": {\"ports\": \"8080\"}}]}"
      + ", \"port\": 8080, \"readiness\": {\"path\": \"/\"}}";
  private static final String EXEC = "{\"command\": [\"true\"]}";
  private static final String TEMPLATE_DOCUMENT = """
      {"description": "matrix", "spec": {"env-name": "from-template", "os": "debian",
       "resources": {"ram": "512M", "cpu": "0.5"}}}""";

  /** The whole API. Paths are under /api/v1; {placeholders} are filled in per cell by {@link #resolve}. */
  static List<Row> routes() {
    return List.of(
        row("GET", "/health").allow(200, Who.values()),
        row("GET", "/openapi.json").allow(200, Who.values()),
        row("POST", "/auth/login").body("{\"username\": \"alice\", \"password\": \"password-of-alice\"}")
            .allow(200, Who.values()),
        row("POST", "/auth/logout").ownSession().otherwise(204),
        row("GET", "/no-such-route").otherwise(404),
        row("GET", "/").console().otherwise(200),
        row("GET", "/console/app.js").console().otherwise(200),
        row("GET", "/console/no-such-file.js").console().otherwise(404),

        row("POST", "/environments").body(ENVIRONMENT)
            .allow(202, DATA_SCIENTIST, OTHER_DATA_SCIENTIST, APP_DEVELOPER, ADMIN).otherwise(403),
        row("POST", "/environments?dryRun=true").body(ENVIRONMENT)
            .allow(200, DATA_SCIENTIST, OTHER_DATA_SCIENTIST, APP_DEVELOPER, ADMIN).otherwise(403),
        row("GET", "/environments").otherwise(200),
        row("GET", "/environments/{env}").allow(200, DATA_SCIENTIST, ADMIN).otherwise(404),
        row("GET", "/environments/{unknown-env}").otherwise(404),
        row("DELETE", "/environments/{fresh-env}").allow(202, DATA_SCIENTIST, ADMIN).otherwise(404),
        row("POST", "/environments/{fresh-env}/stop").allow(202, DATA_SCIENTIST, ADMIN).otherwise(404),
        row("POST", "/environments/{fresh-env}/start").allow(202, DATA_SCIENTIST, ADMIN).otherwise(404),
        row("GET", "/environments/{env}/dockerfile").allow(200, DATA_SCIENTIST, ADMIN).otherwise(404),
        row("GET", "/environments/{env}/manifest?format=kubernetes").allow(200, DATA_SCIENTIST, ADMIN).otherwise(404),
        row("GET", "/environments/{env}/events").streaming().allow(200, DATA_SCIENTIST, ADMIN).otherwise(404),
        // No worker runs it: the owner hears that there are no logs or stats yet (409), others 404.
        row("GET", "/environments/{env}/logs").allow(409, DATA_SCIENTIST, ADMIN).otherwise(404),
        row("GET", "/environments/{env}/stats").allow(409, DATA_SCIENTIST, ADMIN).otherwise(404),
        row("GET", "/environments/{env}/sharing").allow(200, DATA_SCIENTIST, ADMIN).otherwise(404),
        // Not RUNNING (no worker): the owner and admins hear so (409), others 404.
        row("POST", "/environments/{env}/exec").body(EXEC).allow(409, DATA_SCIENTIST, ADMIN).otherwise(404),
        // A plain GET of the WebSocket route: who may is told that it expects an upgrade (400), others 404.
        row("GET", "/environments/{env}/exec").allow(400, DATA_SCIENTIST, ADMIN).otherwise(404),
        row("PUT", "/environments/{env}/files?path=/tmp/a.txt").body(EXEC).allow(409, DATA_SCIENTIST, ADMIN).otherwise(404),
        row("GET", "/environments/{env}/files?path=/tmp").allow(409, DATA_SCIENTIST, ADMIN).otherwise(404),
        // Its owner alone reads its secrets: an admin sees it, so 403, not 404.
        row("GET", "/environments/{env}/secrets").allow(200, DATA_SCIENTIST).allow(403, ADMIN).otherwise(404),
        row("GET", "/environments/{shared-env}/secrets")
            .allow(200, DATA_SCIENTIST).allow(403, OTHER_DATA_SCIENTIST, ADMIN).otherwise(404),
        row("PUT", "/environments/{fresh-env}/sharing").body("{\"groups\": [\"" + LAB + "\"]}")
            .allow(200, DATA_SCIENTIST, ADMIN).otherwise(404),
        // Shared with bob's group: he sees it and its feeds, and may not change it (403: he knows it exists).
        row("GET", "/environments/{shared-env}").allow(200, DATA_SCIENTIST, OTHER_DATA_SCIENTIST, ADMIN).otherwise(404),
        row("GET", "/environments/{shared-env}/logs").allow(409, DATA_SCIENTIST, OTHER_DATA_SCIENTIST, ADMIN).otherwise(404),
        row("GET", "/environments/{shared-env}/sharing")
            .allow(200, DATA_SCIENTIST, OTHER_DATA_SCIENTIST, ADMIN).otherwise(404),
        row("POST", "/environments/{fresh-shared-env}/stop")
            .allow(202, DATA_SCIENTIST, ADMIN).allow(403, OTHER_DATA_SCIENTIST).otherwise(404),
        row("DELETE", "/environments/{fresh-shared-env}")
            .allow(202, DATA_SCIENTIST, ADMIN).allow(403, OTHER_DATA_SCIENTIST).otherwise(404),
        // Seeing it through a group is not running commands in it.
        row("POST", "/environments/{shared-env}/exec").body(EXEC)
            .allow(409, DATA_SCIENTIST, ADMIN).allow(403, OTHER_DATA_SCIENTIST).otherwise(404),
        row("GET", "/environments/{shared-env}/exec").allow(400, DATA_SCIENTIST, ADMIN).allow(403, OTHER_DATA_SCIENTIST)
            .otherwise(404),
        row("PUT", "/environments/{shared-env}/files?path=/tmp/a.txt").body(EXEC)
            .allow(409, DATA_SCIENTIST, ADMIN).allow(403, OTHER_DATA_SCIENTIST).otherwise(404),
        row("GET", "/environments/{shared-env}/files?path=/tmp")
            .allow(409, DATA_SCIENTIST, ADMIN).allow(403, OTHER_DATA_SCIENTIST).otherwise(404),
        row("PUT", "/environments/{fresh-shared-env}/sharing").body("{\"groups\": []}")
            .allow(200, DATA_SCIENTIST, ADMIN).allow(403, OTHER_DATA_SCIENTIST).otherwise(404),
        // The proxy into it: not RUNNING (no worker), so 409 for whoever may open it; a group member may not (403).
        row("GET", "/environments/{env}/proxy/8888/tree").onProxy().allow(409, DATA_SCIENTIST, ADMIN).otherwise(404),
        row("POST", "/environments/{env}/proxy/8888/api").onProxy().body("{}")
            .allow(409, DATA_SCIENTIST, ADMIN).otherwise(404),
        row("PUT", "/environments/{shared-env}/proxy/8888/api").onProxy().body("{}")
            .allow(409, DATA_SCIENTIST, ADMIN).allow(403, OTHER_DATA_SCIENTIST).otherwise(404),
        row("DELETE", "/environments/{shared-env}/proxy/8888/api").onProxy()
            .allow(409, DATA_SCIENTIST, ADMIN).allow(403, OTHER_DATA_SCIENTIST).otherwise(404),

        row("GET", "/templates").otherwise(200),
        row("POST", "/templates").body("{\"name\": \"{new-template}\", " + TEMPLATE_DOCUMENT.substring(1))
            .allow(403, END_USER).otherwise(201),
        row("GET", "/templates/{template}").allow(200, DATA_SCIENTIST, ADMIN).otherwise(404),
        row("PUT", "/templates/{template}").body(TEMPLATE_DOCUMENT)
            .allow(200, DATA_SCIENTIST, ADMIN).allow(403, END_USER).otherwise(404),
        row("PUT", "/templates/{new-template}").body(TEMPLATE_DOCUMENT).allow(403, END_USER).otherwise(201),
        row("DELETE", "/templates/{fresh-template}").allow(204, DATA_SCIENTIST, ADMIN).otherwise(404),
        row("POST", "/templates/{template}/environments")
            .allow(202, DATA_SCIENTIST, ADMIN).allow(403, END_USER, CONFIGURER).otherwise(404),
        row("GET", "/templates/" + BUILT_IN).otherwise(200),
        row("PUT", "/templates/" + BUILT_IN).body("{built-in-document}").allow(200, CONFIGURER, ADMIN).otherwise(403),
        // Configurers and admins may delete a built-in template: not done here, it would be gone for the other cells.
        new Row("DELETE", "/templates/" + BUILT_IN).allow(403, END_USER, DATA_SCIENTIST, OTHER_DATA_SCIENTIST, APP_DEVELOPER),
        row("POST", "/templates/" + BUILT_IN + "/environments").allow(403, END_USER, CONFIGURER).otherwise(202),

        row("GET", "/catalog").otherwise(200),
        row("PUT", "/catalog").body("{catalog-document}").allow(200, CONFIGURER, ADMIN).otherwise(403),

        row("GET", "/nodes").otherwise(200),
        // Everyone signed in follows the changes they may see.
        row("GET", "/events").streaming().otherwise(200),
        // No worker exists: those who may operate nodes hear that this one does not.
        row("POST", "/nodes/{node}/cordon").allow(404, CONFIGURER, ADMIN).otherwise(403),
        row("POST", "/nodes/{node}/uncordon").allow(404, CONFIGURER, ADMIN).otherwise(403),
        row("POST", "/nodes/{node}/drain").allow(404, CONFIGURER, ADMIN).otherwise(403),

        row("GET", "/users/me").otherwise(200),
        row("GET", "/users/me/tokens").otherwise(200),
        row("POST", "/users/me/tokens").body("{\"name\": \"matrix\"}").otherwise(201),
        row("DELETE", "/users/me/tokens/{own-token}").otherwise(204),
        row("DELETE", "/users/me/tokens/{fresh-token}").allow(204, DATA_SCIENTIST).otherwise(404),
        row("GET", "/users").allow(200, ADMIN).otherwise(403),
        row("POST", "/users").body("{\"username\": \"{new-user}\", \"password\": \"password-123\", \"roles\": [\"end-user\"]}")
            .allow(201, ADMIN).otherwise(403),
        row("GET", "/users/alice").allow(200, ADMIN).otherwise(403),
        row("PATCH", "/users/{fresh-user}").body("{\"roles\": [\"app-developer\"]}").allow(200, ADMIN).otherwise(403),
        row("DELETE", "/users/{fresh-user}").allow(204, ADMIN).otherwise(403),
        row("PUT", "/users/{fresh-user}/quota").body("{\"cpu\": \"1\"}").allow(200, ADMIN).otherwise(403),
        row("DELETE", "/users/{fresh-user}/quota").allow(200, ADMIN).otherwise(403),
        row("GET", "/groups").otherwise(200),
        row("POST", "/groups").body("{\"name\": \"{new-group}\", \"members\": [\"alice\"]}").allow(201, ADMIN).otherwise(403),
        row("GET", "/groups/" + LAB).allow(200, DATA_SCIENTIST, OTHER_DATA_SCIENTIST, ADMIN).otherwise(404),
        // Fresh groups have no members: changing or deleting one signs no caller of the other cells out.
        row("PATCH", "/groups/{fresh-group}").body("{\"members\": []}").allow(200, ADMIN).otherwise(403),
        row("DELETE", "/groups/{fresh-group}").allow(204, ADMIN).otherwise(403),
        row("GET", "/audit").allow(200, ADMIN).otherwise(403),

        // Datasets: data scientists and admins upload; the owner, its readers (LAB) and admins read.
        row("GET", "/datasets?prefix=matrix/").otherwise(200),
        row("PUT", "/datasets/matrix/db/{new-dataset}").body("{}")
            .allow(201, DATA_SCIENTIST, OTHER_DATA_SCIENTIST, ADMIN).otherwise(403),
        row("PUT", "/datasets/matrix/db/owned").body("{}").allow(201, DATA_SCIENTIST, ADMIN).allow(404, OTHER_DATA_SCIENTIST)
            .otherwise(403),
        row("PUT", "/datasets/matrix/db/shared").body("{}").allow(201, DATA_SCIENTIST, ADMIN).otherwise(403),
        row("GET", "/datasets/matrix/db/owned").allow(200, DATA_SCIENTIST, ADMIN).otherwise(404),
        row("GET", "/datasets/matrix/db/shared?version=1")
            .allow(200, DATA_SCIENTIST, OTHER_DATA_SCIENTIST, ADMIN).otherwise(404),
        row("GET", "/datasets/matrix/db/unknown").otherwise(404),
        row("GET", "/datasets/matrix/db/owned/versions").allow(200, DATA_SCIENTIST, ADMIN).otherwise(404),
        row("GET", "/datasets/matrix/db/shared/versions")
            .allow(200, DATA_SCIENTIST, OTHER_DATA_SCIENTIST, ADMIN).otherwise(404),
        row("DELETE", "/datasets/matrix/db/{fresh-dataset}").allow(200, DATA_SCIENTIST, ADMIN).otherwise(404),
        row("DELETE", "/datasets/matrix/db/{fresh-shared-dataset}?version=1")
            .allow(200, DATA_SCIENTIST, ADMIN).allow(403, OTHER_DATA_SCIENTIST).otherwise(404),
        row("PUT", "/datasets/matrix/db/{fresh-dataset}/readers").body("{\"users\": [\"erin\"]}")
            .allow(200, DATA_SCIENTIST, ADMIN).otherwise(404),
        row("PUT", "/datasets/matrix/db/{fresh-shared-dataset}/readers").body("{\"groups\": []}")
            .allow(200, DATA_SCIENTIST, ADMIN).allow(403, OTHER_DATA_SCIENTIST).otherwise(404),

        // Models: data scientists and admins upload (multipart: a JSON body is 415); a model is its bundle dataset.
        row("POST", "/models").body("{}").allow(415, DATA_SCIENTIST, OTHER_DATA_SCIENTIST, ADMIN).otherwise(403),
        row("GET", "/models").otherwise(200),
        row("GET", "/models/matrix-owned").allow(200, DATA_SCIENTIST, ADMIN).otherwise(404),
        row("GET", "/models/matrix-shared").allow(200, DATA_SCIENTIST, OTHER_DATA_SCIENTIST, ADMIN).otherwise(404),
        row("GET", "/models/matrix-unknown").otherwise(404),
        // Apps: app developers and admins push (multipart: a JSON body is 415); an app is its source dataset.
        row("POST", "/apps").body("{}").allow(415, APP_DEVELOPER, ADMIN).otherwise(403),
        row("GET", "/apps").otherwise(200),
        row("GET", "/apps/matrix-app").allow(200, APP_DEVELOPER, ADMIN).otherwise(404),
        row("GET", "/apps/matrix-unknown").otherwise(404),
        // Services: those who create environments create them; the owner and admins see and change one;
        // end users, who call them and bind devices to apps, see them too.
        row("GET", "/services").otherwise(200),
        row("POST", "/services").body(SERVICE.replace("{name}", "{new-service}"))
            .allow(201, DATA_SCIENTIST, OTHER_DATA_SCIENTIST, APP_DEVELOPER, ADMIN).otherwise(403),
        row("GET", "/services/{fresh-service}").allow(200, DATA_SCIENTIST, END_USER, ADMIN).otherwise(404),
        row("PATCH", "/services/{fresh-service}").body("{\"replicas\": 2}").allow(200, DATA_SCIENTIST, ADMIN).otherwise(404),
        row("DELETE", "/services/{fresh-service}").allow(202, DATA_SCIENTIST, ADMIN).otherwise(404),
        row("PUT", "/services/{fresh-model-service}/batching").body("{\"max-size\": 8, \"max-wait-ms\": 5}")
            .allow(200, DATA_SCIENTIST, ADMIN).otherwise(404),
        // Deploying a model: its owner and admins; a reader may see it, not deploy it.
        row("POST", "/models/{fresh-model}/deploy").allow(201, DATA_SCIENTIST, ADMIN).otherwise(404),
        row("POST", "/models/{fresh-shared-model}/deploy").allow(201, DATA_SCIENTIST, ADMIN).allow(403, OTHER_DATA_SCIENTIST)
            .otherwise(404),
        // Calling one: its owner, admins and end users (the matrix's is an app, with no replica ready: no worker here).
        row("POST", "/services/{fresh-service}/predict").body("{\"instances\": [1]}")
            .allow(409, DATA_SCIENTIST, END_USER, ADMIN).otherwise(404),
        row("GET", "/services/{fresh-service}/call/ready").allow(503, DATA_SCIENTIST, END_USER, ADMIN).otherwise(404),
        row("POST", "/services/{fresh-service}/call/ready").body("{}")
            .allow(503, DATA_SCIENTIST, END_USER, ADMIN).otherwise(404),
        row("PUT", "/services/{fresh-service}/call/ready").body("{}")
            .allow(503, DATA_SCIENTIST, END_USER, ADMIN).otherwise(404),
        row("DELETE", "/services/{fresh-service}/call/ready").allow(503, DATA_SCIENTIST, END_USER, ADMIN).otherwise(404),
        row("GET", "/services/{fresh-service}/stats").allow(200, DATA_SCIENTIST, ADMIN).otherwise(404),
        // Jobs: whoever may change the model service (and read the input) submits; someone else's service is 404.
        // No worker runs here: a job's service has no ready replica, so it stays RUNNING (output 409, cancel 200).
        row("GET", "/jobs").otherwise(200),
        row("POST", "/jobs").body("{\"service\": \"{fresh-model-service}\", \"input\": {\"dataset\": \"{fresh-records}\"}}")
            .allow(202, DATA_SCIENTIST, ADMIN).otherwise(404),
        row("GET", "/jobs/{fresh-job}").allow(200, DATA_SCIENTIST, ADMIN).otherwise(404),
        row("GET", "/jobs/{fresh-job}/output").allow(409, DATA_SCIENTIST, ADMIN).otherwise(404),
        row("DELETE", "/jobs/{fresh-job}").allow(200, DATA_SCIENTIST, ADMIN).otherwise(404),
        row("GET", "/jobs/{unknown-job}").otherwise(404),
        // Sensor types and devices: configurers and admins write; everyone signed in reads.
        row("GET", "/sensor-types").otherwise(200),
        row("POST", "/sensor-types").body(SENSOR_TYPE.replace("{name}", "{new-sensor-type}"))
            .allow(201, CONFIGURER, ADMIN).otherwise(403),
        row("GET", "/sensor-types/matrix-thermo").otherwise(200),
        row("DELETE", "/sensor-types/{fresh-sensor-type}").allow(204, CONFIGURER, ADMIN).otherwise(403),
        row("GET", "/devices?site=matrix").otherwise(200),
        row("GET", "/devices/broker").otherwise(200),
        row("GET", "/devices/matrix-t").otherwise(200),
        row("GET", "/devices/no-such-device").otherwise(404),
        row("POST", "/devices").body(DEVICE.replace("{id}", "{new-device}")).allow(201, CONFIGURER, ADMIN).otherwise(403),
        row("DELETE", "/devices/{fresh-device}").allow(204, CONFIGURER, ADMIN).otherwise(403),
        row("POST", "/devices/{fresh-device}/disable").allow(200, CONFIGURER, ADMIN).otherwise(403),
        row("POST", "/devices/{fresh-device}/enable").allow(200, CONFIGURER, ADMIN).otherwise(403),
        row("POST", "/devices/{fresh-device}/credentials").allow(200, CONFIGURER, ADMIN).otherwise(403),
        row("GET", "/devices/matrix-t/readings").otherwise(200),
        row("GET", "/devices/matrix-t/readings/stream").streaming().otherwise(200),
        row("POST", "/devices/matrix-v/commands").body("{\"name\": \"close\"}").allow(202, CONFIGURER, ADMIN)
            .otherwise(403),
        row("GET", "/devices/matrix-v/commands").otherwise(200),
        row("GET", "/devices/matrix-v/commands/no-such-command").otherwise(404),
        // Bindings: the service's callers (owner, admins, end users); the matrix's service declares no
        // device types, so binding it is a 422 for them and the 404 of a missing service for the others.
        row("POST", "/services/{fresh-service}/bindings").body("{\"devices\": [\"matrix-t\"]}")
            .allow(422, DATA_SCIENTIST, END_USER, ADMIN).otherwise(404),
        row("GET", "/services/{fresh-service}/bindings").allow(200, DATA_SCIENTIST, END_USER, ADMIN).otherwise(404),
        row("DELETE", "/services/{fresh-service}/bindings/no-such-binding").otherwise(404));
  }

  private static final String SENSOR_TYPE =
      "{\"name\": \"{name}\", \"kind\": \"sensor\", \"fields\": {\"t\": {\"type\": \"number\"}}}";
  private static final String DEVICE = "{\"id\": \"{id}\", \"type\": \"matrix-thermo\", \"location\": {\"site\": \"matrix\"}}";

  static Stream<Cell> cells() {
    return routes().stream().flatMap(row -> row.expected.entrySet().stream()
        .map(cell -> new Cell(row, cell.getKey(), cell.getValue())));
  }

  private GatewayTestCluster cluster;
  private URI proxyBase;
  private final Map<Who, Api> callers = new EnumMap<>(Who.class);
  private final AtomicInteger serial = new AtomicInteger();
  private String environment;
  private String sharedEnvironment;
  private String builtInDocument;
  private String catalogDocument;

  @BeforeAll
  void start() throws Exception {
    cluster = new GatewayTestCluster("RouteAccessMatrixTest");
    proxyBase = GatewayTestCluster.uri(HttpGateway.startBoth(cluster.testKit.system(), cluster.backends, cluster.settings())
        .toCompletableFuture().get(20, TimeUnit.SECONDS).proxy());
    Api admin = Api.admin(cluster.base);
    callers.put(ANONYMOUS, new Api(cluster.base));
    callers.put(ADMIN, admin);
    for (Who who : Who.values()) {
      if (who != ANONYMOUS && who != ADMIN) {
        created(admin.post("/api/v1/users", Api.JSON, "{\"username\": \"" + who.username + "\", \"password\": \""
            + who.password() + "\", \"roles\": [\"" + who.role + "\"]}"), 201);
        // Room for the environments the cells make for the owner (their default allows ten).
        created(admin.put("/api/v1/users/" + who.username + "/quota", Api.JSON,
            "{\"cpu\": \"1000\", \"ram\": \"1000G\", \"environments\": 1000}"), 200);
      }
    }
    created(admin.post("/api/v1/groups", Api.JSON, "{\"name\": \"" + LAB + "\", \"members\": [\""
        + DATA_SCIENTIST.username + "\", \"" + OTHER_DATA_SCIENTIST.username + "\"]}"), 201);
    for (Who who : Who.values()) {
      if (who != ANONYMOUS && who != ADMIN) {
        callers.put(who, new Api(cluster.base).signedIn(who.username, who.password()));
      }
    }
    Api owner = callers.get(DATA_SCIENTIST);
    environment = created(owner.post("/api/v1/environments", Api.JSON, Seeds.debianEnvironment("owned")), 202)
        .path("id").asText();
    sharedEnvironment = sharedByAlice();
    aliceDataset("owned", false);
    aliceDataset("shared", true);
    aliceModel("matrix-owned", false);
    daveApp("matrix-app");
    aliceModel("matrix-shared", true);
    created(owner.put("/api/v1/templates/alice-template", Api.JSON, TEMPLATE_DOCUMENT), 201);
    ObjectNode builtIn = (ObjectNode) created(admin.get("/api/v1/templates/" + BUILT_IN), 200);
    builtInDocument = Api.write(builtIn.retain("description", "spec"));
    catalogDocument = created(admin.get("/api/v1/catalog"), 200).toString();
    DeviceCommands.init(cluster.testKit.system(), (device, payload) -> CompletableFuture.completedFuture(Done.getInstance()));
    created(admin.post("/api/v1/sensor-types", Api.JSON, SENSOR_TYPE.replace("{name}", "matrix-thermo")), 201);
    created(admin.post("/api/v1/sensor-types", Api.JSON, "{\"name\": \"matrix-valve\", \"kind\": \"controller\","
        + " \"commands\": {\"close\": {}}}"), 201);
    created(admin.post("/api/v1/devices", Api.JSON, DEVICE.replace("{id}", "matrix-t")), 201);
    created(admin.post("/api/v1/devices", Api.JSON, DEVICE.replace("{id}", "matrix-v").replace("matrix-thermo", "matrix-valve")),
        201);
  }

  @AfterAll
  void stop() {
    cluster.close();
  }

  private static JsonNode created(Api.Answer answer, int status) {
    assertThat(answer.status()).as(answer.body()).isEqualTo(status);
    return answer.json();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cells")
  void eachCallerGetsWhatTheMatrixSays(Cell cell) throws Exception {
    Api api = cell.row().freshSession && cell.who() != ANONYMOUS
        ? new Api(cluster.base).signedIn(cell.who().username, cell.who().password())
        : callers.get(cell.who());
    if (cell.row().proxy) {
      api = api.at(proxyBase);
    }
    String path = (cell.row().console ? "" : "/api/v1") + resolve(cell.row().path, cell.who());
    HttpRequest.Builder request = api.request(path);
    HttpRequest.BodyPublisher body = cell.row().body == null
        ? HttpRequest.BodyPublishers.noBody()
        : HttpRequest.BodyPublishers.ofString(resolve(cell.row().body, cell.who()));
    if (cell.row().body != null) {
      request.header("content-type", Api.JSON);
    }
    HttpResponse<InputStream> response =
        api.http.send(request.method(cell.row().method, body).build(), HttpResponse.BodyHandlers.ofInputStream());
    String contentType = response.headers().firstValue("content-type").orElse("");
    String text;
    try (InputStream in = response.body()) {
      // An event stream that was allowed never ends: its status and type are the answer.
      text = contentType.startsWith("text/event-stream") ? "" : new String(in.readAllBytes());
    }

    assertThat(response.statusCode()).as("%s %s: %s", cell.row().method, path, text).isEqualTo(cell.expected());
    if (cell.expected() >= 400) {
      assertThat(contentType).isEqualTo("application/problem+json");
      JsonNode problem = Api.parse(text);
      assertThat(problem.path("status").asInt()).isEqualTo(cell.expected());
      // A 403 is the role's (not a quota's or CSRF's); a 404 the same whether the thing is another's or absent.
      String expectedType = switch (cell.expected()) {
        case 401 -> "unauthenticated";
        case 403 -> "forbidden";
        case 404 -> cell.row().path.equals("/no-such-route") || cell.row().console ? "route-not-found" : "not-found";
        default -> problem.path("type").asText().substring("urn:dcloud:problem:".length());
      };
      assertThat(problem.path("type").asText()).isEqualTo("urn:dcloud:problem:" + expectedType);
    }
    if (cell.expected() == 401) {
      assertThat(response.headers().firstValue("www-authenticate")).hasValueSatisfying(v -> assertThat(v).startsWith("Bearer"));
    }
    if (cell.row().stream && cell.expected() == 200) {
      assertThat(contentType).startsWith("text/event-stream");
    }
  }

  /** A new environment of alice's, shared with her and bob's group. */
  private String sharedByAlice() {
    Api owner = callers.get(DATA_SCIENTIST);
    String id = created(owner.post("/api/v1/environments", Api.JSON, ENVIRONMENT), 202).path("id").asText();
    created(owner.put("/api/v1/environments/" + id + "/sharing", Api.JSON, "{\"groups\": [\"" + LAB + "\"]}"), 200);
    return id;
  }

  /** A dataset of alice's, {@code matrix/db/name}, readable by her and bob's group when {@code shared}: its name. */
  private String aliceDataset(String name, boolean shared) {
    Api owner = callers.get(DATA_SCIENTIST);
    String id = "matrix/db/" + name;
    created(owner.put("/api/v1/datasets/" + id, "text/csv", "a,b\n1,2\n"), 201);
    if (shared) {
      created(owner.put("/api/v1/datasets/" + id + "/readers", Api.JSON, "{\"groups\": [\"" + LAB + "\"]}"), 200);
    }
    return name;
  }

  /** A model of alice's, readable by her and bob's group when {@code shared}. */
  private void aliceModel(String name, boolean shared) {
    Api owner = callers.get(DATA_SCIENTIST);
    created(ModelUploads.push(owner, "m.joblib", new byte[] {1, 2, 3}, ModelUploads.CONTRACT, "{\"name\": \"" + name
        + "\", \"runtime\": {\"language-name\": \"python\"}}", Api.JSON), 201);
    if (shared) {
      created(owner.put("/api/v1/datasets/models/" + name + "/bundle/readers", Api.JSON,
          "{\"groups\": [\"" + LAB + "\"]}"), 200);
    }
  }

  /** An app of dave's (the app developer), with its service. */
  private void daveApp(String name) {
    created(AppUploads.push(callers.get(APP_DEVELOPER), "app.tar", AppUploads.tar(Map.of("app.py", new byte[] {'#'}),
        false), "{\"name\": \"" + name + "\", \"runtime\": {\"language-name\": \"python\"}, \"command\": "
        + "\"python3 app.py\", \"port\": 8000}"), 201);
  }

  /** A model service of alice's (its replicas never get ready here: no worker runs them). */
  private String aliceModelService(int n) {
    String name = "model-service-" + n;
    created(callers.get(DATA_SCIENTIST).post("/api/v1/services", Api.JSON,
        SERVICE.replace("{name}", name).replace("\"kind\": \"app\"", "\"kind\": \"model\"")), 201);
    return name;
  }

  /** A JSON-lines dataset of alice's, a job's input: its id. */
  private String aliceRecords(int n) {
    String id = "matrix/db/records-" + n;
    created(callers.get(DATA_SCIENTIST).put("/api/v1/datasets/" + id, "application/x-ndjson", "{\"v\": 1}\n"), 201);
    return id;
  }

  /** Fills in a path's or body's placeholders, making what the cell needs on behalf of its owner. */
  private String resolve(String text, Who who) throws IOException {
    Api owner = callers.get(DATA_SCIENTIST);
    Api admin = callers.get(ADMIN);
    int n = serial.incrementAndGet();
    String resolved = text;
    if (resolved.contains("{env}")) {
      resolved = resolved.replace("{env}", environment);
    }
    if (resolved.contains("{unknown-env}")) {
      resolved = resolved.replace("{unknown-env}", UUID.randomUUID().toString());
    }
    if (resolved.contains("{shared-env}")) {
      resolved = resolved.replace("{shared-env}", sharedEnvironment);
    }
    if (resolved.contains("{fresh-shared-env}")) {
      resolved = resolved.replace("{fresh-shared-env}", sharedByAlice());
    }
    if (resolved.contains("{new-group}")) {
      resolved = resolved.replace("{new-group}", "new-group-" + n);
    }
    if (resolved.contains("{fresh-group}")) {
      String name = "fresh-group-" + n;
      created(admin.post("/api/v1/groups", Api.JSON, "{\"name\": \"" + name + "\"}"), 201);
      resolved = resolved.replace("{fresh-group}", name);
    }
    if (resolved.contains("{fresh-env}")) {
      resolved = resolved.replace("{fresh-env}",
          created(owner.post("/api/v1/environments", Api.JSON, ENVIRONMENT), 202).path("id").asText());
    }
    if (resolved.contains("{new-dataset}")) {
      resolved = resolved.replace("{new-dataset}", "new-" + n);
    }
    if (resolved.contains("{fresh-dataset}")) {
      resolved = resolved.replace("{fresh-dataset}", aliceDataset("fresh-" + n, false));
    }
    if (resolved.contains("{fresh-shared-dataset}")) {
      resolved = resolved.replace("{fresh-shared-dataset}", aliceDataset("fresh-shared-" + n, true));
    }
    if (resolved.contains("{template}")) {
      resolved = resolved.replace("{template}", "alice-template");
    }
    if (resolved.contains("{new-template}")) {
      resolved = resolved.replace("{new-template}", "new-template-" + n);
    }
    if (resolved.contains("{fresh-template}")) {
      String name = "fresh-template-" + n;
      created(owner.put("/api/v1/templates/" + name, Api.JSON, TEMPLATE_DOCUMENT), 201);
      resolved = resolved.replace("{fresh-template}", name);
    }
    if (resolved.contains("{own-token}")) {
      resolved = resolved.replace("{own-token}", who == ANONYMOUS
          ? "no-token"
          : created(callers.get(who).post("/api/v1/users/me/tokens", Api.JSON, "{}"), 201).path("id").asText());
    }
    if (resolved.contains("{fresh-token}")) {
      resolved = resolved.replace("{fresh-token}",
          created(owner.post("/api/v1/users/me/tokens", Api.JSON, "{}"), 201).path("id").asText());
    }
    if (resolved.contains("{new-service}")) {
      resolved = resolved.replace("{new-service}", "new-service-" + n);
    }
    if (resolved.contains("{fresh-service}")) {
      String name = "fresh-service-" + n;
      created(owner.post("/api/v1/services", Api.JSON, SERVICE.replace("{name}", name)), 201);
      resolved = resolved.replace("{fresh-service}", name);
    }
    if (resolved.contains("{fresh-model-service}")) {
      String name = "fresh-model-service-" + n;
      created(owner.post("/api/v1/services", Api.JSON, SERVICE.replace("{name}", name).replace("\"app\"", "\"model\"")), 201);
      resolved = resolved.replace("{fresh-model-service}", name);
    }
    if (resolved.contains("{fresh-model}")) {
      String name = "fresh-model-" + n;
      aliceModel(name, false);
      resolved = resolved.replace("{fresh-model}", name);
    }
    if (resolved.contains("{fresh-shared-model}")) {
      String name = "fresh-shared-model-" + n;
      aliceModel(name, true);
      resolved = resolved.replace("{fresh-shared-model}", name);
    }
    if (resolved.contains("{fresh-job}")) {
      resolved = resolved.replace("{fresh-job}", created(owner.post("/api/v1/jobs", Api.JSON, "{\"service\": \""
          + aliceModelService(n) + "\", \"input\": {\"dataset\": \"" + aliceRecords(n) + "\"}}"), 202).path("id").asText());
    }
    if (resolved.contains("{fresh-records}")) {
      resolved = resolved.replace("{fresh-records}", aliceRecords(n));
    }
    if (resolved.contains("{unknown-job}")) {
      resolved = resolved.replace("{unknown-job}", UUID.randomUUID().toString());
    }
    if (resolved.contains("{new-sensor-type}")) {
      resolved = resolved.replace("{new-sensor-type}", "new-sensor-type-" + n);
    }
    if (resolved.contains("{fresh-sensor-type}")) {
      String name = "fresh-sensor-type-" + n;
      created(admin.post("/api/v1/sensor-types", Api.JSON, SENSOR_TYPE.replace("{name}", name)), 201);
      resolved = resolved.replace("{fresh-sensor-type}", name);
    }
    if (resolved.contains("{new-device}")) {
      resolved = resolved.replace("{new-device}", "new-device-" + n);
    }
    if (resolved.contains("{fresh-device}")) {
      String id = "fresh-device-" + n;
      created(admin.post("/api/v1/devices", Api.JSON, DEVICE.replace("{id}", id)), 201);
      resolved = resolved.replace("{fresh-device}", id);
    }
    if (resolved.contains("{new-user}")) {
      resolved = resolved.replace("{new-user}", "new-user-" + n);
    }
    if (resolved.contains("{fresh-user}")) {
      String name = "fresh-user-" + n;
      created(admin.post("/api/v1/users", Api.JSON,
          "{\"username\": \"" + name + "\", \"password\": \"password-123\", \"roles\": [\"end-user\"]}"), 201);
      resolved = resolved.replace("{fresh-user}", name);
    }
    return resolved
        .replace("{node}", "no-such-node")
        .replace("{built-in-document}", builtInDocument)
        .replace("{catalog-document}", catalogDocument);
  }

  @Test
  void anotherUsersEnvironmentNeverAppearsInTheirListButTheAdminsShowsItsOwner() {
    Awaitility.await().atMost(READ_SIDE_WAIT).untilAsserted(() -> {
      JsonNode all = callers.get(ADMIN).get("/api/v1/environments").json().path("environments");
      JsonNode listed = byId(all, environment);
      assertThat(listed).as("the admin's list: %s", all).isNotNull();
      assertThat(listed.path("owner").asText()).isEqualTo("alice");
      assertThat(ids(callers.get(DATA_SCIENTIST).get("/api/v1/environments").json())).contains(environment);
    });
    for (Who who : List.of(OTHER_DATA_SCIENTIST, APP_DEVELOPER, CONFIGURER, END_USER)) {
      JsonNode listing = callers.get(who).get("/api/v1/environments").json();
      assertThat(ids(listing)).as("%s sees %s", who, listing).doesNotContain(environment);
      listing.path("environments").forEach(e -> {
        if (!e.path("owner").asText().equals(who.username)) {
          // bob's list has alice's environments shared with their group, and only those.
          assertThat(who).isEqualTo(OTHER_DATA_SCIENTIST);
          JsonNode sharing = callers.get(who).get("/api/v1/environments/" + e.path("id").asText() + "/sharing").json();
          assertThat(sharing.path("groups").toString()).isEqualTo("[\"" + LAB + "\"]");
        }
      });
    }
    Awaitility.await().atMost(READ_SIDE_WAIT).untilAsserted(() ->
        assertThat(ids(callers.get(OTHER_DATA_SCIENTIST).get("/api/v1/environments").json())).contains(sharedEnvironment));
  }

  @Test
  void anotherUsersTemplateNeverAppearsInTheirListButBuiltInOnesDo() {
    for (Who who : List.of(OTHER_DATA_SCIENTIST, APP_DEVELOPER, CONFIGURER, END_USER)) {
      JsonNode templates = callers.get(who).get("/api/v1/templates").json().path("templates");
      assertThat(templates.findValuesAsText("name")).as("%s", who).contains(BUILT_IN).doesNotContain("alice-template");
    }
    JsonNode all = callers.get(ADMIN).get("/api/v1/templates").json().path("templates");
    assertThat(all.findValuesAsText("name")).contains("alice-template", BUILT_IN);
    all.forEach(t -> {
      if (t.path("name").asText().equals("alice-template")) {
        assertThat(t.path("owner").asText()).isEqualTo("alice");
      }
    });
  }

  private static JsonNode byId(JsonNode environments, String id) {
    for (JsonNode environment : environments) {
      if (environment.path("id").asText().equals(id)) {
        return environment;
      }
    }
    return null;
  }

  private static List<String> ids(JsonNode listing) {
    List<String> ids = new ArrayList<>();
    listing.path("environments").forEach(e -> ids.add(e.path("id").asText()));
    return ids;
  }
}
