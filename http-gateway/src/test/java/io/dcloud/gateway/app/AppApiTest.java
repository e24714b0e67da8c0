package io.dcloud.gateway.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.dcloud.gateway.Api;
import io.dcloud.gateway.AppUploads;
import io.dcloud.gateway.GatewayTestCluster;
import io.dcloud.gateway.ModelUploads;
import java.io.ByteArrayInputStream;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Apps through the API: a push stores the source archive (tar, tar.gz or zip), checked and
 * rewritten as one tar with the config first, as the next version of dataset apps/<name>/source,
 * and creates the app's service; bad parts, config fields and archives are named; an app is its
 * owner's. No worker exists, so the replicas are never started here (AppServiceIT starts one).
 */
class AppApiTest {
  private static final byte[] APP_PY = "print('hello')\n".getBytes(StandardCharsets.UTF_8);
  private static final byte[] UTIL_PY = "ANSWER = 42\n".getBytes(StandardCharsets.UTF_8);
  private static GatewayTestCluster cluster;
  private static Api admin;
  private static Api alice;
  private static Api bob;
  private static Api dora;

  @BeforeAll
  static void start() throws Exception {
    cluster = new GatewayTestCluster("AppApiTest");
    admin = Api.admin(cluster.base);
    for (String[] user : new String[][] {{"alice", "app-developer"}, {"bob", "app-developer"}, {"dora", "data-scientist"},
        {"sam", "app-developer"}}) {
      admin.createUser(user[0], user[1]);
    }
    alice = admin.signedIn("alice");
    bob = admin.signedIn("bob");
    dora = admin.signedIn("dora");
  }

  @AfterAll
  static void stop() {
    cluster.close();
  }

  @Test
  void aPushStoresTheSourceAsADirectoryVersionAndCreatesTheAppsService() throws Exception {
    String config = config("hello", "\"command\": [\"python3\", \"app.py\"], \"port\": 8000, \"replicas\": 2, "
        + "\"readiness\": {\"path\": \"/ready\"}, \"env\": {\"GREETING\": \"hi\"}");

    Api.Answer pushed = AppUploads.push(alice, "hello.tar.gz", AppUploads.tar(files(), true), config);

    assertThat(pushed.status()).as(pushed.body()).isEqualTo(201);
    assertThat(pushed.header("location")).isEqualTo("/api/v1/apps/hello");
    JsonNode body = pushed.json();
    assertThat(body.path("name").asText()).isEqualTo("hello");
    assertThat(body.path("version").asInt()).isEqualTo(1);
    JsonNode service = body.path("service");
    assertThat(service.path("name").asText()).isEqualTo("hello");
    assertThat(service.path("kind").asText()).isEqualTo("app");
    assertThat(service.path("owner").asText()).isEqualTo("alice");
    assertThat(service.path("port").asInt()).isEqualTo(8000);
    assertThat(service.path("desiredReplicas").asInt()).isEqualTo(2);
    assertThat(service.path("readiness").path("path").asText()).isEqualTo("/ready");
    assertThat(alice.get("/api/v1/services/hello").json().path("kind").asText()).isEqualTo("app");

    HttpResponse<byte[]> source = alice.http.send(alice.request("/api/v1/datasets/apps/hello/source?version=1").GET()
        .build(), HttpResponse.BodyHandlers.ofByteArray());
    assertThat(source.headers().firstValue("content-type")).hasValue("application/x-tar");
    Map<String, byte[]> entries = entries(source.body());
    assertThat(entries.keySet()).containsExactly("dcloud-app.json", "app.py", "lib/util.py");
    assertThat(entries.get("app.py")).isEqualTo(APP_PY);
    assertThat(entries.get("lib/util.py")).isEqualTo(UTIL_PY);

    JsonNode app = alice.get("/api/v1/apps/hello").json();
    assertThat(app.path("owner").asText()).isEqualTo("alice");
    assertThat(app.path("versions").findValuesAsText("version")).containsExactly("1");
    assertThat(app.path("config").path("env").path("GREETING").asText()).isEqualTo("hi");
    assertThat(alice.get("/api/v1/apps").json().path("apps").findValuesAsText("name")).contains("hello");
  }

  @Test
  void aZipAndAPlainTarWithAShellLineAreAcceptedAlike() throws Exception {
    Api.Answer zipped = AppUploads.push(alice, "whatever.bin", AppUploads.zip(files()),
        config("zipped", "\"command\": \"python3 app.py --port 9000\", \"port\": 9000"));
    Api.Answer plain = AppUploads.push(alice, "plain.tar", AppUploads.tar(files(), false),
        config("plain", "\"command\": [\"python3\", \"app.py\"], \"port\": 9000"));

    assertThat(zipped.status()).as(zipped.body()).isEqualTo(201);
    assertThat(plain.status()).as(plain.body()).isEqualTo(201);
    HttpResponse<byte[]> source = alice.http.send(alice.request("/api/v1/datasets/apps/zipped/source").GET().build(),
        HttpResponse.BodyHandlers.ofByteArray());
    assertThat(entries(source.body()).keySet()).containsExactly("dcloud-app.json", "app.py", "lib/util.py");
    assertThat(zipped.json().path("service").path("readiness").path("path").asText()).isEqualTo("/");
  }

  @Test
  void theOwnersNextPushAsksTheServiceForAnUpdate() {
    String config = config("again", "\"command\": [\"python3\", \"app.py\"], \"port\": 8000");
    assertThat(AppUploads.push(alice, "a.tgz", AppUploads.tar(files(), true), config).status()).isEqualTo(201);

    Api.Answer second = AppUploads.push(alice, "a.tgz", AppUploads.tar(files(), true), config.replace("8000", "8001"));

    assertThat(second.status()).as(second.body()).isEqualTo(200);
    assertThat(second.json().path("service").path("port").asInt()).isEqualTo(8001);
    assertThat(second.json().path("service").path("version").asInt()).isEqualTo(2);
    assertThat(alice.get("/api/v1/apps/again").json().path("versions").findValuesAsText("version"))
        .containsExactly("1", "2");
  }

  @Test
  void aPushWhoseConfigSaysNoReplicasKeepsTheScaleAndOneThatSaysSomeSetsIt() {
    // A user of its own: the scale takes quota the other tests count on.
    Api sam = admin.signedIn("sam");
    String config = config("scaled", "\"command\": [\"python3\", \"app.py\"], \"port\": 8000");
    Api.Answer first = AppUploads.push(sam, "a.tgz", AppUploads.tar(files(), true), config);
    assertThat(first.json().path("service").path("desiredReplicas").asInt()).as("none said: one").isEqualTo(1);
    assertThat(sam.patch("/api/v1/services/scaled", Api.JSON, "{\"replicas\": 3}").status()).isEqualTo(200);

    Api.Answer kept = AppUploads.push(sam, "a.tgz", AppUploads.tar(files(), true), config);
    assertThat(kept.status()).as(kept.body()).isEqualTo(200);
    assertThat(kept.json().path("service").path("desiredReplicas").asInt()).as("the scale made since").isEqualTo(3);

    Api.Answer set = AppUploads.push(sam, "a.tgz", AppUploads.tar(files(), true),
        config.replace("\"port\": 8000", "\"port\": 8000, \"replicas\": 2"));
    assertThat(set.json().path("service").path("desiredReplicas").asInt()).as("the config's own").isEqualTo(2);
  }

  @Test
  void aNewVersionNeedsRoomInTheQuotaForItsRollsSurgeOrRollsWithoutOne() {
    Api sue = admin.newUserWithQuota("sue", "app-developer", "{\"cpu\": \"1\", \"environments\": 2}");
    String config = config("full", "\"command\": [\"python3\", \"app.py\"], \"port\": 8000, \"replicas\": 2, "
        + "\"resources\": {\"cpu\": \"0.5\", \"ram\": \"256M\"}");
    Api.Answer first = AppUploads.push(sue, "a.tgz", AppUploads.tar(files(), true), config);
    assertThat(first.status()).as(first.body()).isEqualTo(201);
    assertThat(first.json().path("service").path("surge").asInt()).as("the default").isEqualTo(1);
    List<String> v1 = Awaitility.await("both replicas counted").atMost(Duration.ofSeconds(15)).until(() -> {
      List<String> ids = sue.get("/api/v1/services/full").json().path("replicas").findValuesAsText("id");
      return sue.get("/api/v1/users/me").json().path("usage").path("environments").asInt() == 2 ? ids : null;
    }, Objects::nonNull);

    // The quota holds the two replicas; a roll adds a third while it replaces them.
    Api.Answer refused = AppUploads.push(sue, "a.tgz", AppUploads.tar(files(), true), config);
    refused.problem(403);
    assertThat(refused.errorFields()).containsExactlyInAnyOrder("quota.cpu", "quota.environments");
    assertThat(refused.json().path("detail").asText()).contains("one more at a time (its surge)")
        .contains("Set \"surge\": 0");
    assertThat(sue.get("/api/v1/services/full").json().path("version").asInt()).as("not rolled").isEqualTo(1);

    Api.Answer rolled = AppUploads.push(sue, "a.tgz", AppUploads.tar(files(), true), config.replace("\"replicas\": 2",
        "\"replicas\": 2, \"surge\": 0"));
    assertThat(rolled.status()).as(rolled.body()).isEqualTo(200);
    assertThat(rolled.json().path("service").path("version").asInt()).isEqualTo(2);
    assertThat(rolled.json().path("service").path("surge").asInt()).isZero();
    // An old replica is deleted first, its replacement made once it is gone (queued here: no worker).
    Awaitility.await("one replica replaced").atMost(Duration.ofSeconds(15)).untilAsserted(() -> {
      JsonNode replicas = sue.get("/api/v1/services/full").json().path("replicas");
      assertThat(replicas.findValuesAsText("version")).containsExactly("1", "2");
      assertThat(v1).contains(replicas.get(0).path("id").asText());
      assertThat(sue.get("/api/v1/users/me").json().path("usage").path("environments").asInt()).isEqualTo(2);
    });
  }

  @Test
  void badConfigFieldsAreEachNamed() {
    Api.Answer bad = AppUploads.push(alice, "a.tar", AppUploads.tar(files(), false), "{\"name\": \"Not A Name\", "
        + "\"runtime\": {\"language-name\": \"python\", \"libraries\": [\"numpy\", 3]}, \"port\": 0, \"colour\": 1}");

    assertThat(bad.problem(422).path("errors").findValuesAsText("field"))
        .contains("name", "port", "command", "runtime.libraries[1]", "colour");
    assertThat(AppUploads.push(alice, "a.tar", AppUploads.tar(files(), false), "{\"name\": \"m\", \"runtime\": "
        + "{\"language-name\": \"python\"}, \"command\": \"python3 app.py\"}").reasonFor("port")).contains("required");
    assertThat(AppUploads.push(alice, "a.tar", AppUploads.tar(files(), false), config("m", "\"command\": \"x\", "
        + "\"port\": 80").replace("[]", "[\"no-such-lib\"]")).reasonFor("runtime.libraries[0]")).contains("no-such-lib");
    assertThat(AppUploads.push(alice, "a.tar", AppUploads.tar(files(), false), config("m", "\"command\": \"x\", "
        + "\"port\": 80, \"resources\": {\"ram\": \"lots\"}")).errorFields()).contains("resources.ram");
    assertThat(alice.get("/api/v1/apps/m").status()).isEqualTo(404);
  }

  @Test
  void archivesThatAreNotArchivesOrLeaveTheirDirectoryAreRefused() {
    String config = config("bad-archive", "\"command\": \"x\", \"port\": 80");
    assertThat(AppUploads.push(alice, "a.tar", random(5000), config).reasonFor("source")).contains(".zip");
    assertThat(AppUploads.push(alice, "a.tar", AppUploads.tar(Map.of("../evil.py", APP_PY), false), config)
        .reasonFor("source")).contains("../evil.py");
    assertThat(AppUploads.push(alice, "a.zip", AppUploads.zip(Map.of("/etc/evil.py", APP_PY)), config)
        .reasonFor("source")).contains("/etc/evil.py");
    assertThat(AppUploads.push(alice, "a.tar", AppUploads.tar(Map.of("dcloud-app.json", APP_PY), false), config)
        .reasonFor("source")).contains("dcloud-app.json");
    assertThat(AppUploads.push(alice, "a.tar", AppUploads.tar(Map.of(), false), config).reasonFor("source"))
        .contains("no files");
    Map<String, ModelUploads.Part> noSource = new LinkedHashMap<>();
    noSource.put("config", new ModelUploads.Part(null, Api.JSON, config.getBytes(StandardCharsets.UTF_8)));
    assertThat(ModelUploads.send(alice, "/api/v1/apps", noSource).reasonFor("source")).contains("required");
    assertThat(alice.get("/api/v1/apps/bad-archive").status()).isEqualTo(404);
  }

  @Test
  void tooLargeArchivesAndArchivesThatUnpackTooLargeAre413() {
    String config = config("large", "\"command\": \"x\", \"port\": 80");
    Api.Answer sent = AppUploads.push(alice, "a.tar", AppUploads.tar(Map.of("big.bin", random(1_200_000)), false), config);
    Api.Answer unpacked = AppUploads.push(alice, "a.tgz", AppUploads.tar(Map.of("zeros.bin", new byte[3 << 20]), true),
        config);

    assertThat(sent.problem(413).path("detail").asText()).contains("dcloud.apps.max-size");
    assertThat(unpacked.problem(413).path("errors").get(0).path("reason").asText())
        .contains("dcloud.apps.max-expanded-size");
    assertThat(alice.get("/api/v1/apps/large").status()).isEqualTo(404);
  }

  @Test
  void onlyAppDevelopersPushAndAnAppIsItsOwners() {
    String config = config("mine", "\"command\": \"x\", \"port\": 80");
    assertThat(AppUploads.push(dora, "a.tar", AppUploads.tar(files(), false), config).problem(403)
        .path("detail").asText()).contains("app developers");
    assertThat(AppUploads.push(alice, "a.tar", AppUploads.tar(files(), false), config).status()).isEqualTo(201);

    assertThat(AppUploads.push(bob, "a.tar", AppUploads.tar(files(), false), config).problem(409)
        .path("detail").asText()).contains("taken");
    assertThat(bob.get("/api/v1/apps/mine").status()).isEqualTo(404);
    assertThat(bob.get("/api/v1/apps").json().path("apps").findValuesAsText("name")).doesNotContain("mine");
    assertThat(admin.get("/api/v1/apps/mine").status()).isEqualTo(200);
  }

  /** Refused or stored, a push leaves nothing spooled (the tests' pushes are over by now). */
  @AfterAll
  static void nothingIsLeftSpooled() throws Exception {
    try (var left = java.nio.file.Files.list(java.nio.file.Path.of(System.getProperty("java.io.tmpdir")))) {
      assertThat(left.map(path -> path.getFileName().toString()).filter(name -> name.startsWith("dcloud-apps-") && name.endsWith(".upload")))
          .isEmpty();
    }
  }

  private static Map<String, byte[]> files() {
    Map<String, byte[]> files = new LinkedHashMap<>();
    files.put("app.py", APP_PY);
    files.put("lib/util.py", UTIL_PY);
    return files;
  }

  private static String config(String name, String more) {
    return "{\"name\": \"" + name + "\", \"runtime\": {\"language-name\": \"python\", \"libraries\": []}, " + more + "}";
  }

  /** The tar's regular files, in order. */
  private static Map<String, byte[]> entries(byte[] tar) throws Exception {
    Map<String, byte[]> entries = new LinkedHashMap<>();
    try (TarArchiveInputStream in = new TarArchiveInputStream(new ByteArrayInputStream(tar))) {
      for (TarArchiveEntry entry = in.getNextEntry(); entry != null; entry = in.getNextEntry()) {
        if (entry.isFile()) {
          entries.put(entry.getName(), in.readAllBytes());
        }
      }
    }
    return entries;
  }

  private static byte[] random(int length) {
    byte[] bytes = new byte[length];
    new Random(length).nextBytes(bytes);
    return bytes;
  }
}
