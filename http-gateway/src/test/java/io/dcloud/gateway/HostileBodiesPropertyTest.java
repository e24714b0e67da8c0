package io.dcloud.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.dcloud.device.DeviceCommands;
import io.dcloud.gateway.HostileBodies.Body;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Assume;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.AfterProperty;
import net.jqwik.api.lifecycle.BeforeContainer;
import org.apache.pekko.Done;
import org.awaitility.Awaitility;

/**
 * Every route that takes a body, sent hostile bodies as the admin (who may do everything, so only
 * the body decides): the answer is a 4xx problem+json, or a 2xx when the body happens to be valid
 * (then what it made is removed again), never a 5xx; and no environment exists but those whose
 * create was answered 202. One cluster serves every try; {@value #TRIES} tries per route keep the
 * class around half a minute on a loaded two-core machine.
 */
class HostileBodiesPropertyTest {
  private static final int TRIES = 150;
  /** The environment whose sharing the hostile bodies try to change (its id is fixed by an Idempotency-Key). */
  private static final String SHARED_PATH = "/api/v1/environments/{shared}/sharing";
  private static final Duration READ_SIDE_WAIT = Duration.ofSeconds(10);
  private static final String MODEL_CONFIG = "{\"name\": \"hostile-model\", \"runtime\": {\"language-name\": "
      + "\"python\", \"libraries\": [\"scikit-learn\"]}, \"resources\": {\"cpu\": \"1\", \"ram\": \"1G\"}, "
      + "\"replicas\": 2, \"batching\": {\"max-size\": 8, \"max-wait-ms\": 5}, \"input-example\": {\"x\": 1}}";
  private static final String SPEC = "{\"env-name\": \"t\", \"os\": \"debian\", \"resources\": {\"ram\": \"512M\", \"cpu\": \"0.5\"}}";

  /** A route that takes a body, and a valid body for it (what the hostile ones are made from). */
  enum Target {
    ENVIRONMENTS_POST("POST", "/api/v1/environments", Seeds.debianEnvironment("hostile")),
    ENVIRONMENTS_DRY_RUN("POST", "/api/v1/environments?dryRun=true", Seeds.debianEnvironment("hostile-dry-run")),
    TEMPLATES_POST("POST", "/api/v1/templates", "{\"name\": \"hostile-template\", \"description\": \"d\", \"spec\": " + SPEC + "}"),
    TEMPLATE_PUT("PUT", "/api/v1/templates/hostile-put", "{\"description\": \"d\", \"spec\": " + SPEC + "}"),
    TEMPLATE_INSTANTIATE("POST", "/api/v1/templates/hostile-target/environments",
        "{\"env-name\": \"from-target\", \"resources\": {\"cpu\": \"0.5\"}}"),
    CATALOG_PUT("PUT", "/api/v1/catalog", null),
    USERS_POST("POST", "/api/v1/users", "{\"username\": \"hostile-user\", \"password\": \"password-123\", \"roles\": [\"end-user\"]}"),
    USERS_PATCH("PATCH", "/api/v1/users/victim", "{\"password\": \"password-456\", \"roles\": [\"end-user\"], \"disabled\": false}"),
    QUOTA_PUT("PUT", "/api/v1/users/victim/quota",
        "{\"cpu\": \"1\", \"ram\": \"1G\", \"gpu\": 0, \"environments\": 1, \"storage\": \"1G\"}"),
    TOKENS_POST("POST", "/api/v1/users/me/tokens", "{\"name\": \"hostile\", \"expiresIn\": \"30d\"}"),
    GROUPS_POST("POST", "/api/v1/groups", "{\"name\": \"hostile-group\", \"members\": [\"victim\"]}"),
    GROUP_PATCH("PATCH", "/api/v1/groups/hostile-lab", "{\"members\": [\"victim\"]}"),
    SHARING_PUT("PUT", SHARED_PATH, "{\"groups\": [\"hostile-lab\"]}"),
    // Not RUNNING (no worker here): a valid body is a 409, a hostile one must be a 4xx too.
    EXEC_POST("POST", "/api/v1/environments/{shared}/exec",
        "{\"command\": [\"sh\", \"-c\", \"echo hi\"], \"stdin\": \"x\", \"timeout\": \"5s\"}"),
    DATASET_READERS_PUT("PUT", "/api/v1/datasets/hostile/db/readers-target/readers",
        "{\"users\": [\"victim\"], \"groups\": [\"hostile-lab\"]}"),
    SERVICES_POST("POST", "/api/v1/services", "{\"name\": \"hostile-service\", \"kind\": \"app\", \"environment\": "
        + "{\"env-name\": \"t\", \"os\": \"debian\", \"resources\": {\"ram\": \"512M\", \"cpu\": \"0.5\"}, \"port-publish\": [{\"internal\": {\"ports\": \"8080\"}}]}"
        + ", \"port\": 8080, \"replicas\": 1, \"readiness\": {\"path\": \"/\"}}"),
    SERVICE_PATCH("PATCH", "/api/v1/services/scale-target", "{\"replicas\": 1}"),
    MODEL_SERVICES_POST("POST", "/api/v1/services", "{\"name\": \"hostile-model-service\", \"kind\": \"model\", \"environment\": "
        + "{\"env-name\": \"t\", \"os\": \"debian\", \"resources\": {\"ram\": \"512M\", \"cpu\": \"0.5\"}, \"port-publish\": [{\"internal\": {\"ports\": \"8080\"}}]}"
        + ", \"port\": 8080, \"replicas\": 1, \"readiness\": {\"path\": \"/\"}, \"batching\": {\"max-size\": 8, \"max-wait-ms\": 5}}"),
    SERVICE_BATCHING_PUT("PUT", "/api/v1/services/batching-target/batching", "{\"max-size\": 8, \"max-wait-ms\": 5}"),
    MODEL_DEPLOY("POST", "/api/v1/models/deploy-target/deploy", "{\"version\": 1}"),
    // An app (and no replica ready here): a valid body is a 409, a hostile one must be a 4xx too.
    PREDICT_POST("POST", "/api/v1/services/scale-target/predict", "{\"instances\": [[1.5, 2], {\"x\": 1}]}"),
    JOBS_POST("POST", "/api/v1/jobs",
        "{\"service\": \"job-target\", \"input\": {\"dataset\": \"hostile/db/job-input\", \"version\": 1}, \"batch-size\": 10}"),
    LOGIN("POST", "/api/v1/auth/login", "{\"username\": \"victim\", \"password\": \"password-456\"}"),
    SENSOR_TYPES_POST("POST", "/api/v1/sensor-types", "{\"name\": \"hostile-type\", \"kind\": \"controller\", \"fields\": "
        + "{\"t\": {\"type\": \"number\", \"unit\": \"C\", \"min\": -5, \"max\": 5}}, \"commands\": {\"set\": {\"params\": "
        + "{\"p\": {\"type\": \"integer\", \"min\": 0, \"max\": 9}}}}}"),
    DEVICES_POST("POST", "/api/v1/devices", "{\"id\": \"hostile-device\", \"type\": \"hostile-valve\", \"location\": "
        + "{\"site\": \"s\", \"building\": \"b\", \"room\": \"r\", \"lat\": 1.5, \"lon\": 2.5}, \"metadata\": {\"k\": \"v\"}}"),
    DEVICE_COMMANDS_POST("POST", "/api/v1/devices/hostile-v/commands", "{\"name\": \"set\", \"params\": {\"p\": 3}}"),
    // scale-target declares no device types: a valid body is a 422, a hostile one must be a 4xx too.
    BINDINGS_POST("POST", "/api/v1/services/scale-target/bindings", "{\"devices\": [\"hostile-v\"]}");

    final String method;
    final String path;
    final String valid;

    Target(String method, String path, String valid) {
      this.method = method;
      this.path = path;
      this.valid = valid;
    }
  }

  private static GatewayTestCluster cluster;
  private static Api admin;
  private static String catalog;
  private static String sharedId;
  /** Environments whose create was answered 202, and services' replicas: the only ones that may exist. */
  private static final AtomicInteger accepted = new AtomicInteger();
  /** The replicas scale-target was last scaled to: scaling up makes environments, scaling down keeps them listed (DELETED). */
  private static final AtomicInteger scaleTargetReplicas = new AtomicInteger(1);

  @BeforeContainer
  static void start() throws Exception {
    cluster = new GatewayTestCluster("HostileBodiesPropertyTest");
    admin = Api.admin(cluster.base);
    catalog = admin.get("/api/v1/catalog").body();
    assertThat(admin.post("/api/v1/users", Api.JSON, "{\"username\": \"victim\", \"password\": \"password-456\"}").status())
        .isEqualTo(201);
    assertThat(admin.put("/api/v1/templates/hostile-target", Api.JSON, Target.TEMPLATE_PUT.valid).status()).isEqualTo(201);
    assertThat(admin.post("/api/v1/groups", Api.JSON, "{\"name\": \"hostile-lab\", \"members\": [\"victim\"]}").status())
        .isEqualTo(201);
    assertThat(admin.put("/api/v1/datasets/hostile/db/readers-target", "text/plain", "data").status()).isEqualTo(201);
    Api.Answer shared = admin.post("/api/v1/environments", Api.JSON, Seeds.debianEnvironment("shared-target"));
    assertThat(shared.status()).isEqualTo(202);
    accepted.incrementAndGet();
    sharedId = shared.json().path("id").asText();
    assertThat(admin.post("/api/v1/services", Api.JSON, Target.SERVICES_POST.valid.replace("hostile-service", "scale-target"))
        .status()).isEqualTo(201);
    accepted.incrementAndGet();
    assertThat(admin.post("/api/v1/services", Api.JSON, Target.MODEL_SERVICES_POST.valid.replace("hostile-model-service",
        "batching-target")).status()).isEqualTo(201);
    accepted.incrementAndGet();
    // One version only: a deploy after the first is an update that changes nothing.
    assertThat(ModelUploads.push(admin, "m.joblib", new byte[] {1}, ModelUploads.CONTRACT,
        MODEL_CONFIG.replace("hostile-model", "deploy-target"), Api.JSON).status()).isEqualTo(201);
    assertThat(admin.post("/api/v1/services", Api.JSON, Target.SERVICES_POST.valid.replace("hostile-service", "job-target")
        .replace("\"kind\": \"app\"", "\"kind\": \"model\"")).status()).isEqualTo(201);
    accepted.incrementAndGet();
    assertThat(admin.put("/api/v1/datasets/hostile/db/job-input", "application/x-ndjson", "{\"v\": 1}\n").status())
        .isEqualTo(201);
    DeviceCommands.init(cluster.testKit.system(), (device, payload) -> CompletableFuture.completedFuture(Done.getInstance()));
    assertThat(admin.post("/api/v1/sensor-types", Api.JSON, Target.SENSOR_TYPES_POST.valid.replace("hostile-type",
        "hostile-valve")).status()).isEqualTo(201);
    assertThat(admin.post("/api/v1/devices", Api.JSON, Target.DEVICES_POST.valid.replace("hostile-device", "hostile-v"))
        .status()).isEqualTo(201);
  }

  @AfterContainer
  static void stop() {
    cluster.close();
  }

  @AfterProperty
  void onlyAcceptedCreatesMadeEnvironments() {
    Awaitility.await().atMost(READ_SIDE_WAIT).untilAsserted(() ->
        assertThat(admin.get("/api/v1/environments").json().path("environments")).hasSize(accepted.get()));
  }

  @Property(tries = TRIES)
  void environmentsPost(@ForAll("environmentsPostBodies") Body body) {
    check(Target.ENVIRONMENTS_POST, body);
  }

  /** A dry run makes nothing: {@link #onlyAcceptedCreatesMadeEnvironments} sees no more environments after it. */
  @Property(tries = TRIES)
  void environmentsDryRun(@ForAll("environmentsDryRunBodies") Body body) {
    check(Target.ENVIRONMENTS_DRY_RUN, body);
  }

  @Property(tries = TRIES)
  void templatesPost(@ForAll("templatesPostBodies") Body body) {
    check(Target.TEMPLATES_POST, body);
  }

  @Property(tries = TRIES)
  void templatePut(@ForAll("templatePutBodies") Body body) {
    check(Target.TEMPLATE_PUT, body);
  }

  @Property(tries = TRIES)
  void templateInstantiate(@ForAll("templateInstantiateBodies") Body body) {
    check(Target.TEMPLATE_INSTANTIATE, body);
  }

  @Property(tries = TRIES)
  void catalogPut(@ForAll("catalogPutBodies") Body body) {
    check(Target.CATALOG_PUT, body);
  }

  @Property(tries = TRIES)
  void usersPost(@ForAll("usersPostBodies") Body body) {
    check(Target.USERS_POST, body);
  }

  @Property(tries = TRIES)
  void usersPatch(@ForAll("usersPatchBodies") Body body) {
    check(Target.USERS_PATCH, body);
  }

  @Property(tries = TRIES)
  void quotaPut(@ForAll("quotaPutBodies") Body body) {
    check(Target.QUOTA_PUT, body);
  }

  @Property(tries = TRIES)
  void tokensPost(@ForAll("tokensPostBodies") Body body) {
    check(Target.TOKENS_POST, body);
  }

  @Property(tries = TRIES)
  void groupsPost(@ForAll("groupsPostBodies") Body body) {
    // A group change signs its members out (their tokens carry groups): the admin making the checks must not be one.
    Assume.that(!new String(body.bytes(), StandardCharsets.UTF_8).contains("admin"));
    check(Target.GROUPS_POST, body);
  }

  @Property(tries = TRIES)
  void groupPatch(@ForAll("groupPatchBodies") Body body) {
    // A group change signs its members out (their tokens carry groups): the admin making the checks must not be one.
    Assume.that(!new String(body.bytes(), StandardCharsets.UTF_8).contains("admin"));
    check(Target.GROUP_PATCH, body);
  }

  @Property(tries = TRIES)
  void sharingPut(@ForAll("sharingPutBodies") Body body) {
    check(Target.SHARING_PUT, body);
  }

  @Property(tries = TRIES)
  void execPost(@ForAll("execPostBodies") Body body) {
    check(Target.EXEC_POST, body);
  }

  @Property(tries = TRIES)
  void datasetReadersPut(@ForAll("datasetReadersPutBodies") Body body) {
    check(Target.DATASET_READERS_PUT, body);
  }

  @Property(tries = TRIES)
  void servicesPost(@ForAll("servicesPostBodies") Body body) {
    check(Target.SERVICES_POST, body);
  }

  @Property(tries = TRIES)
  void servicePatch(@ForAll("servicePatchBodies") Body body) {
    check(Target.SERVICE_PATCH, body);
  }

  @Property(tries = TRIES)
  void modelServicesPost(@ForAll("modelServicesPostBodies") Body body) {
    check(Target.MODEL_SERVICES_POST, body);
  }

  @Property(tries = TRIES)
  void serviceBatchingPut(@ForAll("serviceBatchingPutBodies") Body body) {
    check(Target.SERVICE_BATCHING_PUT, body);
  }

  @Property(tries = TRIES)
  void modelDeploy(@ForAll("modelDeployBodies") Body body) {
    check(Target.MODEL_DEPLOY, body);
  }

  @Property(tries = TRIES)
  void predictPost(@ForAll("predictPostBodies") Body body) {
    check(Target.PREDICT_POST, body);
  }

  @Property(tries = TRIES)
  void jobsPost(@ForAll("jobsPostBodies") Body body) {
    check(Target.JOBS_POST, body);
  }

  @Property(tries = TRIES)
  void login(@ForAll("loginBodies") Body body) {
    check(Target.LOGIN, body);
  }

  @Property(tries = TRIES)
  void sensorTypesPost(@ForAll("sensorTypesPostBodies") Body body) {
    check(Target.SENSOR_TYPES_POST, body);
  }

  @Property(tries = TRIES)
  void devicesPost(@ForAll("devicesPostBodies") Body body) {
    check(Target.DEVICES_POST, body);
  }

  @Property(tries = TRIES)
  void deviceCommandsPost(@ForAll("deviceCommandsPostBodies") Body body) {
    check(Target.DEVICE_COMMANDS_POST, body);
  }

  @Property(tries = TRIES)
  void bindingsPost(@ForAll("bindingsPostBodies") Body body) {
    check(Target.BINDINGS_POST, body);
  }

  /**
   * A model upload's config part is a document too: hostile ones, beside a fine artifact and
   * contract, are a 4xx (or a version, removed again), never a 5xx.
   */
  @Property(tries = TRIES)
  void modelConfig(@ForAll("modelConfigBodies") Body body) {
    Map<String, ModelUploads.Part> parts = new LinkedHashMap<>();
    parts.put("model", new ModelUploads.Part("m.joblib", "application/octet-stream", new byte[] {1}));
    parts.put("contract", new ModelUploads.Part("contract.py", "text/x-python",
        ModelUploads.CONTRACT.getBytes(StandardCharsets.UTF_8)));
    parts.put("config", new ModelUploads.Part("config", body.contentType() == null ? "application/octet-stream"
        : body.contentType(), body.bytes()));
    Api.Answer answer = ModelUploads.send(admin, parts);

    assertThat(answer.status()).as("a model config %s: %s", body, answer.body()).isBetween(200, 499);
    if (answer.status() >= 400) {
      answer.problem(answer.status());
    } else {
      assertThat(admin.delete("/api/v1/datasets/models/" + answer.json().path("name").asText() + "/bundle").status())
          .isEqualTo(200);
    }
  }

  /** Found by {@link #templatesPost}: the YAML parser's message named java.io.CharConversionException. */
  @Example
  void aYamlBodyThatIsNotUtf8IsRefusedWithoutJavaNames() {
    Api.Answer answer = admin.send(admin.request(Target.ENVIRONMENTS_POST.path).header("content-type", Api.YAML)
        .POST(HttpRequest.BodyPublishers.ofByteArray(new byte[] {(byte) 0xff, 'a', ':', ' ', '1'})).build());

    assertThat(answer.problem(400).path("detail").asText()).contains("Invalid UTF-8").doesNotContain("java.");
  }

  @Provide Arbitrary<Body> environmentsPostBodies() { return HostileBodies.against(Target.ENVIRONMENTS_POST.valid); }
  @Provide Arbitrary<Body> environmentsDryRunBodies() { return HostileBodies.against(Target.ENVIRONMENTS_DRY_RUN.valid); }
  @Provide Arbitrary<Body> templatesPostBodies() { return HostileBodies.against(Target.TEMPLATES_POST.valid); }
  @Provide Arbitrary<Body> templatePutBodies() { return HostileBodies.against(Target.TEMPLATE_PUT.valid); }
  @Provide Arbitrary<Body> templateInstantiateBodies() { return HostileBodies.against(Target.TEMPLATE_INSTANTIATE.valid); }
  @Provide Arbitrary<Body> catalogPutBodies() { return HostileBodies.against(catalog); }
  @Provide Arbitrary<Body> usersPostBodies() { return HostileBodies.against(Target.USERS_POST.valid); }
  @Provide Arbitrary<Body> usersPatchBodies() { return HostileBodies.against(Target.USERS_PATCH.valid); }
  @Provide Arbitrary<Body> quotaPutBodies() { return HostileBodies.against(Target.QUOTA_PUT.valid); }
  @Provide Arbitrary<Body> tokensPostBodies() { return HostileBodies.against(Target.TOKENS_POST.valid); }
  @Provide Arbitrary<Body> datasetReadersPutBodies() { return HostileBodies.against(Target.DATASET_READERS_PUT.valid); }
  @Provide Arbitrary<Body> loginBodies() { return HostileBodies.against(Target.LOGIN.valid); }
  @Provide Arbitrary<Body> groupsPostBodies() { return HostileBodies.against(Target.GROUPS_POST.valid); }
  @Provide Arbitrary<Body> groupPatchBodies() { return HostileBodies.against(Target.GROUP_PATCH.valid); }
  @Provide Arbitrary<Body> execPostBodies() { return HostileBodies.against(Target.EXEC_POST.valid); }
  @Provide Arbitrary<Body> modelConfigBodies() { return HostileBodies.against(MODEL_CONFIG); }
  @Provide Arbitrary<Body> servicesPostBodies() { return HostileBodies.against(Target.SERVICES_POST.valid); }
  @Provide Arbitrary<Body> servicePatchBodies() { return HostileBodies.against(Target.SERVICE_PATCH.valid); }
  @Provide Arbitrary<Body> modelServicesPostBodies() { return HostileBodies.against(Target.MODEL_SERVICES_POST.valid); }
  @Provide Arbitrary<Body> serviceBatchingPutBodies() { return HostileBodies.against(Target.SERVICE_BATCHING_PUT.valid); }
  @Provide Arbitrary<Body> modelDeployBodies() { return HostileBodies.against(Target.MODEL_DEPLOY.valid); }
  @Provide Arbitrary<Body> predictPostBodies() { return HostileBodies.against(Target.PREDICT_POST.valid); }
  @Provide Arbitrary<Body> jobsPostBodies() { return HostileBodies.against(Target.JOBS_POST.valid); }
  @Provide Arbitrary<Body> sharingPutBodies() { return HostileBodies.against(Target.SHARING_PUT.valid); }
  @Provide Arbitrary<Body> sensorTypesPostBodies() { return HostileBodies.against(Target.SENSOR_TYPES_POST.valid); }
  @Provide Arbitrary<Body> devicesPostBodies() { return HostileBodies.against(Target.DEVICES_POST.valid); }
  @Provide Arbitrary<Body> deviceCommandsPostBodies() { return HostileBodies.against(Target.DEVICE_COMMANDS_POST.valid); }
  @Provide Arbitrary<Body> bindingsPostBodies() { return HostileBodies.against(Target.BINDINGS_POST.valid); }

  private static void check(Target target, Body body) {
    HttpRequest.Builder request = admin.request(target.path.replace("{shared}", sharedId))
        .method(target.method, HttpRequest.BodyPublishers.ofByteArray(body.bytes()));
    if (body.contentType() != null) {
      request.header("content-type", body.contentType());
    }
    Api.Answer answer = admin.send(request.build());

    assertThat(answer.status()).as("%s %s with %s: %s", target.method, target.path, body, answer.body()).isBetween(200, 499);
    if (answer.status() >= 400) {
      answer.problem(answer.status());
    } else {
      cleanUp(target, answer);
    }
  }

  /** A valid body made something: count it, or take it away so later tries meet the same state. */
  private static void cleanUp(Target target, Api.Answer answer) {
    switch (target) {
      case ENVIRONMENTS_POST, TEMPLATE_INSTANTIATE -> accepted.incrementAndGet();
      case TEMPLATES_POST, TEMPLATE_PUT ->
          assertThat(admin.delete("/api/v1/templates/" + answer.json().path("name").asText()).status()).isEqualTo(204);
      // Replicas are environments: kept, and counted (a name used again is then a 409).
      case SERVICES_POST, MODEL_SERVICES_POST -> accepted.addAndGet(answer.json().path("desiredReplicas").asInt());
      // Only the first makes the service; the rest are updates to the same version.
      case MODEL_DEPLOY -> accepted.addAndGet(answer.status() == 201 ? answer.json().path("desiredReplicas").asInt() : 0);
      case SERVICE_PATCH -> {
        int replicas = answer.json().path("desiredReplicas").asInt();
        accepted.addAndGet(Math.max(0, replicas - scaleTargetReplicas.getAndSet(replicas)));
      }
      // Its service has no ready replica here: the job waits until cancelled.
      case JOBS_POST ->
          assertThat(admin.delete("/api/v1/jobs/" + answer.json().path("id").asText()).status()).isEqualTo(200);
      case CATALOG_PUT -> assertThat(admin.put("/api/v1/catalog", Api.JSON, catalog).status()).isEqualTo(200);
      case USERS_POST ->
          assertThat(admin.delete("/api/v1/users/" + answer.json().path("username").asText()).status()).isEqualTo(204);
      case TOKENS_POST ->
          assertThat(admin.delete("/api/v1/users/me/tokens/" + answer.json().path("id").asText()).status()).isEqualTo(204);
      case GROUPS_POST ->
          assertThat(admin.delete("/api/v1/groups/" + answer.json().path("name").asText()).status()).isEqualTo(204);
      case SENSOR_TYPES_POST ->
          assertThat(admin.delete("/api/v1/sensor-types/" + answer.json().path("name").asText()).status()).isEqualTo(204);
      case DEVICES_POST ->
          assertThat(admin.delete("/api/v1/devices/" + answer.json().path("id").asText()).status()).isEqualTo(204);
      // Commands are the controller's history (the kept ones): nothing to remove.
      case DEVICE_COMMANDS_POST, BINDINGS_POST -> {
      }
      case USERS_PATCH, QUOTA_PUT, LOGIN, GROUP_PATCH, SHARING_PUT, EXEC_POST, DATASET_READERS_PUT, ENVIRONMENTS_DRY_RUN,
          SERVICE_BATCHING_PUT, PREDICT_POST -> {
        // Changes to the victim user or the target dataset's readers, sign-ins and dry runs leave nothing to remove.
      }
    }
  }
}
