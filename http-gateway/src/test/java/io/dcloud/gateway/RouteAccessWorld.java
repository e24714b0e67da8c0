package io.dcloud.gateway;

import static io.dcloud.gateway.RouteAccessCaller.ADMIN;
import static io.dcloud.gateway.RouteAccessCaller.ANONYMOUS;
import static io.dcloud.gateway.RouteAccessCaller.APP_DEVELOPER;
import static io.dcloud.gateway.RouteAccessCaller.DATA_SCIENTIST;
import static io.dcloud.gateway.RouteAccessCaller.OTHER_DATA_SCIENTIST;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dcloud.device.DeviceCommands;
import java.io.IOException;
import java.net.URI;
import java.util.EnumMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.Done;

/**
 * The gateway the access tests ask, and what is in it: a signed-in caller of each
 * {@link RouteAccessCaller}, and the things {@link RouteAccessTable}'s rows name. The environment,
 * template and token {@link RouteAccessCaller#DATA_SCIENTIST} (alice) owns are the targets; one
 * environment of hers is shared with {@link #LAB}. {@link #resolve} makes, for each cell, what the
 * row's {@code {fresh-…}} placeholders ask for.
 */
final class RouteAccessWorld implements AutoCloseable {
  static final String BUILT_IN = "pytorch";
  /** alice's and bob's group, made before they sign in so their tokens carry it. */
  static final String LAB = "matrix-lab";

  static final String ENVIRONMENT = Seeds.debianEnvironment("matrix");
  static final String SERVICE = "{\"name\": \"{name}\", \"kind\": \"app\", \"environment\": "
      + "{\"env-name\": \"t\", \"os\": \"debian\", \"resources\": {\"ram\": \"512M\", \"cpu\": \"0.5\"}, \"port-publish\": [{\"internal\": {\"ports\": \"8080\"}}]}"
      + ", \"port\": 8080, \"readiness\": {\"path\": \"/\"}}";
  static final String TEMPLATE_DOCUMENT = """
      {"description": "matrix", "spec": {"env-name": "from-template", "os": "debian",
       "resources": {"ram": "512M", "cpu": "0.5"}}}""";
  static final String SENSOR_TYPE =
      "{\"name\": \"{name}\", \"kind\": \"sensor\", \"fields\": {\"t\": {\"type\": \"number\"}}}";
  static final String DEVICE = "{\"id\": \"{id}\", \"type\": \"matrix-thermo\", \"location\": {\"site\": \"matrix\"}}";

  private final GatewayTestCluster cluster;
  /** The proxy's binding (dcloud.http.proxy.port), the only one that serves the proxy into environments. */
  final URI proxyBase;
  private final Map<RouteAccessCaller, Api> callers = new EnumMap<>(RouteAccessCaller.class);
  private final AtomicInteger serial = new AtomicInteger();
  /** alice's environment, and another of hers shared with {@link #LAB}. */
  final String environment;
  final String sharedEnvironment;
  private final String builtInDocument;
  private final String catalogDocument;

  RouteAccessWorld(String name) throws Exception {
    cluster = new GatewayTestCluster(name);
    proxyBase = GatewayTestCluster.uri(HttpGateway.startBoth(cluster.testKit.system(), cluster.backends, cluster.settings())
        .toCompletableFuture().get(20, TimeUnit.SECONDS).proxy());
    Api admin = Api.admin(cluster.base);
    callers.put(ANONYMOUS, new Api(cluster.base));
    callers.put(ADMIN, admin);
    for (RouteAccessCaller who : RouteAccessCaller.values()) {
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
    for (RouteAccessCaller who : RouteAccessCaller.values()) {
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

  /** {@code who}'s signed-in caller (anonymous: one with no token). */
  Api as(RouteAccessCaller who) {
    return callers.get(who);
  }

  /** A new session of {@code who}'s, for a request that ends the one it is sent with. */
  Api signedInAnew(RouteAccessCaller who) {
    return new Api(cluster.base).signedIn(who.username, who.password());
  }

  @Override
  public void close() {
    cluster.close();
  }

  private static JsonNode created(Api.Answer answer, int status) {
    assertThat(answer.status()).as(answer.body()).isEqualTo(status);
    return answer.json();
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
  String resolve(String text, RouteAccessCaller who) throws IOException {
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
}
