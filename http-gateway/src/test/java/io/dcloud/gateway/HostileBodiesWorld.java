package io.dcloud.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.dcloud.device.DeviceCommands;
import io.dcloud.gateway.HostileBodies.Body;
import java.net.http.HttpRequest;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.Done;

/**
 * The gateway the hostile bodies are sent to as the admin, and what their {@link HostileBodyTarget}s
 * name in it (the victim user, the hostile-lab group, the shared environment, the services, model,
 * datasets, sensor type and device). It sends a body to its target, and keeps count of the
 * environments that may exist: those whose create was answered 202, and services' replicas.
 */
final class HostileBodiesWorld implements AutoCloseable {
  /** A valid model upload's config: deploy-target's, and what the hostile configs are made from. */
  static final String MODEL_CONFIG = "{\"name\": \"hostile-model\", \"runtime\": {\"language-name\": "
      + "\"python\", \"libraries\": [\"scikit-learn\"]}, \"resources\": {\"cpu\": \"1\", \"ram\": \"1G\"}, "
      + "\"replicas\": 2, \"batching\": {\"max-size\": 8, \"max-wait-ms\": 5}, \"input-example\": {\"x\": 1}}";

  private final GatewayTestCluster cluster;
  final Api admin;
  /** The catalog as the gateway started with it: {@link HostileBodyTarget#CATALOG_PUT}'s valid body, and put back after it. */
  final String catalog;
  private final String sharedId;
  private final AtomicInteger accepted = new AtomicInteger();
  /** The replicas scale-target was last scaled to: scaling up makes environments, scaling down deletes them (still listed by ?status=DELETED). */
  private final AtomicInteger scaleTargetReplicas = new AtomicInteger(1);

  HostileBodiesWorld(String name) throws Exception {
    cluster = new GatewayTestCluster(name);
    admin = Api.admin(cluster.base);
    catalog = admin.get("/api/v1/catalog").body();
    assertThat(admin.post("/api/v1/users", Api.JSON, "{\"username\": \"victim\", \"password\": \"password-456\"}").status())
        .isEqualTo(201);
    assertThat(admin.put("/api/v1/templates/hostile-target", Api.JSON, HostileBodyTarget.TEMPLATE_PUT.valid).status())
        .isEqualTo(201);
    assertThat(admin.post("/api/v1/groups", Api.JSON, "{\"name\": \"hostile-lab\", \"members\": [\"victim\"]}").status())
        .isEqualTo(201);
    assertThat(admin.put("/api/v1/datasets/hostile/db/readers-target", "text/plain", "data").status()).isEqualTo(201);
    Api.Answer shared = admin.post("/api/v1/environments", Api.JSON, Seeds.debianEnvironment("shared-target"));
    assertThat(shared.status()).isEqualTo(202);
    accepted.incrementAndGet();
    sharedId = shared.json().path("id").asText();
    assertThat(admin.post("/api/v1/services", Api.JSON, HostileBodyTarget.SERVICES_POST.valid.replace("hostile-service",
        "scale-target")).status()).isEqualTo(201);
    accepted.incrementAndGet();
    assertThat(admin.post("/api/v1/services", Api.JSON, HostileBodyTarget.MODEL_SERVICES_POST.valid.replace(
        "hostile-model-service", "batching-target")).status()).isEqualTo(201);
    accepted.incrementAndGet();
    // One version only: a deploy after the first is an update that changes nothing.
    assertThat(ModelUploads.push(admin, "m.joblib", new byte[] {1}, ModelUploads.CONTRACT,
        MODEL_CONFIG.replace("hostile-model", "deploy-target"), Api.JSON).status()).isEqualTo(201);
    assertThat(admin.post("/api/v1/services", Api.JSON, HostileBodyTarget.SERVICES_POST.valid.replace("hostile-service",
        "job-target").replace("\"kind\": \"app\"", "\"kind\": \"model\"")).status()).isEqualTo(201);
    accepted.incrementAndGet();
    assertThat(admin.put("/api/v1/datasets/hostile/db/job-input", "application/x-ndjson", "{\"v\": 1}\n").status())
        .isEqualTo(201);
    DeviceCommands.init(cluster.testKit.system(), (device, payload) -> CompletableFuture.completedFuture(Done.getInstance()));
    assertThat(admin.post("/api/v1/sensor-types", Api.JSON, HostileBodyTarget.SENSOR_TYPES_POST.valid.replace(
        "hostile-type", "hostile-valve")).status()).isEqualTo(201);
    assertThat(admin.post("/api/v1/devices", Api.JSON, HostileBodyTarget.DEVICES_POST.valid.replace("hostile-device",
        "hostile-v")).status()).isEqualTo(201);
  }

  /** How many environments may exist now. */
  int acceptedEnvironments() {
    return accepted.get();
  }

  /** Sends {@code body} to {@code target}: a 4xx problem, or a 2xx whose making is then counted or undone, never a 5xx. */
  void check(HostileBodyTarget target, Body body) {
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
  private void cleanUp(HostileBodyTarget target, Api.Answer answer) {
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
          assertThat(admin.delete("/api/v1/users/" + answer.json().path("username").asText()).status()).isEqualTo(200);
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

  @Override
  public void close() {
    cluster.close();
  }
}
