package io.dcloud.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.dcloud.gateway.HostileBodies.Body;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Assume;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.AfterProperty;
import net.jqwik.api.lifecycle.BeforeContainer;
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
  private static final Duration READ_SIDE_WAIT = Duration.ofSeconds(10);

  private static HostileBodiesWorld world;

  @BeforeContainer
  static void start() throws Exception {
    world = new HostileBodiesWorld("HostileBodiesPropertyTest");
  }

  @AfterContainer
  static void stop() {
    world.close();
  }

  @AfterProperty
  void onlyAcceptedCreatesMadeEnvironments() {
    // Deleted ones too (a service scaled down deletes replicas): listed only when asked for.
    Awaitility.await().atMost(READ_SIDE_WAIT).untilAsserted(() ->
        assertThat(world.admin.get("/api/v1/environments").json().path("environments").size()
            + world.admin.get("/api/v1/environments?status=DELETED").json().path("environments").size())
            .isEqualTo(world.acceptedEnvironments()));
  }

  @Property(tries = TRIES)
  void environmentsPost(@ForAll("environmentsPostBodies") Body body) {
    world.check(HostileBodyTarget.ENVIRONMENTS_POST, body);
  }

  /** A dry run makes nothing: {@link #onlyAcceptedCreatesMadeEnvironments} sees no more environments after it. */
  @Property(tries = TRIES)
  void environmentsDryRun(@ForAll("environmentsDryRunBodies") Body body) {
    world.check(HostileBodyTarget.ENVIRONMENTS_DRY_RUN, body);
  }

  @Property(tries = TRIES)
  void templatesPost(@ForAll("templatesPostBodies") Body body) {
    world.check(HostileBodyTarget.TEMPLATES_POST, body);
  }

  @Property(tries = TRIES)
  void templatePut(@ForAll("templatePutBodies") Body body) {
    world.check(HostileBodyTarget.TEMPLATE_PUT, body);
  }

  @Property(tries = TRIES)
  void templateInstantiate(@ForAll("templateInstantiateBodies") Body body) {
    world.check(HostileBodyTarget.TEMPLATE_INSTANTIATE, body);
  }

  @Property(tries = TRIES)
  void catalogPut(@ForAll("catalogPutBodies") Body body) {
    world.check(HostileBodyTarget.CATALOG_PUT, body);
  }

  @Property(tries = TRIES)
  void usersPost(@ForAll("usersPostBodies") Body body) {
    world.check(HostileBodyTarget.USERS_POST, body);
  }

  @Property(tries = TRIES)
  void usersPatch(@ForAll("usersPatchBodies") Body body) {
    world.check(HostileBodyTarget.USERS_PATCH, body);
  }

  @Property(tries = TRIES)
  void quotaPut(@ForAll("quotaPutBodies") Body body) {
    world.check(HostileBodyTarget.QUOTA_PUT, body);
  }

  @Property(tries = TRIES)
  void tokensPost(@ForAll("tokensPostBodies") Body body) {
    world.check(HostileBodyTarget.TOKENS_POST, body);
  }

  @Property(tries = TRIES)
  void groupsPost(@ForAll("groupsPostBodies") Body body) {
    // A group change signs its members out (their tokens carry groups): the admin making the checks must not be one.
    Assume.that(!new String(body.bytes(), StandardCharsets.UTF_8).contains("admin"));
    world.check(HostileBodyTarget.GROUPS_POST, body);
  }

  @Property(tries = TRIES)
  void groupPatch(@ForAll("groupPatchBodies") Body body) {
    // A group change signs its members out (their tokens carry groups): the admin making the checks must not be one.
    Assume.that(!new String(body.bytes(), StandardCharsets.UTF_8).contains("admin"));
    world.check(HostileBodyTarget.GROUP_PATCH, body);
  }

  @Property(tries = TRIES)
  void sharingPut(@ForAll("sharingPutBodies") Body body) {
    world.check(HostileBodyTarget.SHARING_PUT, body);
  }

  @Property(tries = TRIES)
  void execPost(@ForAll("execPostBodies") Body body) {
    world.check(HostileBodyTarget.EXEC_POST, body);
  }

  @Property(tries = TRIES)
  void resizePost(@ForAll("resizePostBodies") Body body) {
    world.check(HostileBodyTarget.RESIZE_POST, body);
  }

  @Property(tries = TRIES)
  void datasetReadersPut(@ForAll("datasetReadersPutBodies") Body body) {
    world.check(HostileBodyTarget.DATASET_READERS_PUT, body);
  }

  @Property(tries = TRIES)
  void servicesPost(@ForAll("servicesPostBodies") Body body) {
    world.check(HostileBodyTarget.SERVICES_POST, body);
  }

  @Property(tries = TRIES)
  void servicePatch(@ForAll("servicePatchBodies") Body body) {
    world.check(HostileBodyTarget.SERVICE_PATCH, body);
  }

  @Property(tries = TRIES)
  void modelServicesPost(@ForAll("modelServicesPostBodies") Body body) {
    world.check(HostileBodyTarget.MODEL_SERVICES_POST, body);
  }

  @Property(tries = TRIES)
  void serviceBatchingPut(@ForAll("serviceBatchingPutBodies") Body body) {
    world.check(HostileBodyTarget.SERVICE_BATCHING_PUT, body);
  }

  @Property(tries = TRIES)
  void modelDeploy(@ForAll("modelDeployBodies") Body body) {
    world.check(HostileBodyTarget.MODEL_DEPLOY, body);
  }

  @Property(tries = TRIES)
  void predictPost(@ForAll("predictPostBodies") Body body) {
    world.check(HostileBodyTarget.PREDICT_POST, body);
  }

  @Property(tries = TRIES)
  void jobsPost(@ForAll("jobsPostBodies") Body body) {
    world.check(HostileBodyTarget.JOBS_POST, body);
  }

  @Property(tries = TRIES)
  void login(@ForAll("loginBodies") Body body) {
    world.check(HostileBodyTarget.LOGIN, body);
  }

  @Property(tries = TRIES)
  void sensorTypesPost(@ForAll("sensorTypesPostBodies") Body body) {
    world.check(HostileBodyTarget.SENSOR_TYPES_POST, body);
  }

  @Property(tries = TRIES)
  void devicesPost(@ForAll("devicesPostBodies") Body body) {
    world.check(HostileBodyTarget.DEVICES_POST, body);
  }

  @Property(tries = TRIES)
  void deviceCommandsPost(@ForAll("deviceCommandsPostBodies") Body body) {
    world.check(HostileBodyTarget.DEVICE_COMMANDS_POST, body);
  }

  @Property(tries = TRIES)
  void bindingsPost(@ForAll("bindingsPostBodies") Body body) {
    world.check(HostileBodyTarget.BINDINGS_POST, body);
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
    Api.Answer answer = ModelUploads.send(world.admin, parts);

    assertThat(answer.status()).as("a model config %s: %s", body, answer.body()).isBetween(200, 499);
    if (answer.status() >= 400) {
      answer.problem(answer.status());
    } else {
      assertThat(world.admin.delete("/api/v1/datasets/models/" + answer.json().path("name").asText() + "/bundle").status())
          .isEqualTo(200);
    }
  }

  /** Found by {@link #templatesPost}: the YAML parser's message named java.io.CharConversionException. */
  @Example
  void aYamlBodyThatIsNotUtf8IsRefusedWithoutJavaNames() {
    Api admin = world.admin;
    Api.Answer answer = admin.send(admin.request(HostileBodyTarget.ENVIRONMENTS_POST.path).header("content-type", Api.YAML)
        .POST(HttpRequest.BodyPublishers.ofByteArray(new byte[] {(byte) 0xff, 'a', ':', ' ', '1'})).build());

    assertThat(answer.problem(400).path("detail").asText()).contains("Invalid UTF-8").doesNotContain("java.");
  }

  @Provide Arbitrary<Body> environmentsPostBodies() { return HostileBodies.against(HostileBodyTarget.ENVIRONMENTS_POST.valid); }
  @Provide Arbitrary<Body> environmentsDryRunBodies() { return HostileBodies.against(HostileBodyTarget.ENVIRONMENTS_DRY_RUN.valid); }
  @Provide Arbitrary<Body> templatesPostBodies() { return HostileBodies.against(HostileBodyTarget.TEMPLATES_POST.valid); }
  @Provide Arbitrary<Body> templatePutBodies() { return HostileBodies.against(HostileBodyTarget.TEMPLATE_PUT.valid); }
  @Provide Arbitrary<Body> templateInstantiateBodies() { return HostileBodies.against(HostileBodyTarget.TEMPLATE_INSTANTIATE.valid); }
  @Provide Arbitrary<Body> catalogPutBodies() { return HostileBodies.against(world.catalog); }
  @Provide Arbitrary<Body> usersPostBodies() { return HostileBodies.against(HostileBodyTarget.USERS_POST.valid); }
  @Provide Arbitrary<Body> usersPatchBodies() { return HostileBodies.against(HostileBodyTarget.USERS_PATCH.valid); }
  @Provide Arbitrary<Body> quotaPutBodies() { return HostileBodies.against(HostileBodyTarget.QUOTA_PUT.valid); }
  @Provide Arbitrary<Body> tokensPostBodies() { return HostileBodies.against(HostileBodyTarget.TOKENS_POST.valid); }
  @Provide Arbitrary<Body> datasetReadersPutBodies() { return HostileBodies.against(HostileBodyTarget.DATASET_READERS_PUT.valid); }
  @Provide Arbitrary<Body> loginBodies() { return HostileBodies.against(HostileBodyTarget.LOGIN.valid); }
  @Provide Arbitrary<Body> groupsPostBodies() { return HostileBodies.against(HostileBodyTarget.GROUPS_POST.valid); }
  @Provide Arbitrary<Body> groupPatchBodies() { return HostileBodies.against(HostileBodyTarget.GROUP_PATCH.valid); }
  @Provide Arbitrary<Body> execPostBodies() { return HostileBodies.against(HostileBodyTarget.EXEC_POST.valid); }
  @Provide Arbitrary<Body> modelConfigBodies() { return HostileBodies.against(HostileBodiesWorld.MODEL_CONFIG); }
  @Provide Arbitrary<Body> servicesPostBodies() { return HostileBodies.against(HostileBodyTarget.SERVICES_POST.valid); }
  @Provide Arbitrary<Body> servicePatchBodies() { return HostileBodies.against(HostileBodyTarget.SERVICE_PATCH.valid); }
  @Provide Arbitrary<Body> modelServicesPostBodies() { return HostileBodies.against(HostileBodyTarget.MODEL_SERVICES_POST.valid); }
  @Provide Arbitrary<Body> serviceBatchingPutBodies() { return HostileBodies.against(HostileBodyTarget.SERVICE_BATCHING_PUT.valid); }
  @Provide Arbitrary<Body> modelDeployBodies() { return HostileBodies.against(HostileBodyTarget.MODEL_DEPLOY.valid); }
  @Provide Arbitrary<Body> predictPostBodies() { return HostileBodies.against(HostileBodyTarget.PREDICT_POST.valid); }
  @Provide Arbitrary<Body> jobsPostBodies() { return HostileBodies.against(HostileBodyTarget.JOBS_POST.valid); }
  @Provide Arbitrary<Body> resizePostBodies() { return HostileBodies.against(HostileBodyTarget.RESIZE_POST.valid); }
  @Provide Arbitrary<Body> sharingPutBodies() { return HostileBodies.against(HostileBodyTarget.SHARING_PUT.valid); }
  @Provide Arbitrary<Body> sensorTypesPostBodies() { return HostileBodies.against(HostileBodyTarget.SENSOR_TYPES_POST.valid); }
  @Provide Arbitrary<Body> devicesPostBodies() { return HostileBodies.against(HostileBodyTarget.DEVICES_POST.valid); }
  @Provide Arbitrary<Body> deviceCommandsPostBodies() { return HostileBodies.against(HostileBodyTarget.DEVICE_COMMANDS_POST.valid); }
  @Provide Arbitrary<Body> bindingsPostBodies() { return HostileBodies.against(HostileBodyTarget.BINDINGS_POST.valid); }
}
