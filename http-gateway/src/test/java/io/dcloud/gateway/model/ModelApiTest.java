package io.dcloud.gateway.model;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.dcloud.gateway.Api;
import io.dcloud.gateway.GatewayTestCluster;
import io.dcloud.gateway.ModelUploads;
import java.io.InputStream;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Models through the API: multipart uploads become versions of dataset models/<name>/bundle (a tar
 * of config.json, contract.py, the serving wrapper and the artifact), bad parts and config fields
 * are named, and a model is its owner's.
 */
class ModelApiTest {
  private static final String CONTRACT = ModelUploads.CONTRACT;
  private static GatewayTestCluster cluster;
  private static Api admin;
  private static Api alice;
  private static Api bob;
  private static Api erin;

  @BeforeAll
  static void start() throws Exception {
    cluster = new GatewayTestCluster("ModelApiTest");
    admin = Api.admin(cluster.base);
    for (String[] user : new String[][] {{"alice", "data-scientist"}, {"bob", "data-scientist"}, {"erin", "end-user"}}) {
      admin.createUser(user[0], user[1]);
    }
    alice = admin.signedIn("alice");
    bob = admin.signedIn("bob");
    erin = admin.signedIn("erin");
  }

  @AfterAll
  static void stop() {
    cluster.close();
  }

  @Test
  void eachPushIsTheNextVersionOfItsBundleWithTheWrapperAndTheArtifactInside() throws Exception {
    byte[] first = random(2 * (1 << 20) + 7);
    byte[] second = random(999);
    String config = config("iris", "\"replicas\": 2, \"batching\": {\"max-size\": 8, \"max-wait-ms\": 5}, "
        + "\"input-example\": {\"x\": 1}");

    JsonNode one = ModelUploads.push(alice, "iris.joblib", first, CONTRACT, config, Api.JSON).json();
    JsonNode two = ModelUploads.push(alice, "iris.joblib", second, CONTRACT, config, Api.JSON).json();

    assertThat(one.path("name").asText()).isEqualTo("iris");
    assertThat(one.path("version").asInt()).isEqualTo(1);
    assertThat(two.path("version").asInt()).isEqualTo(2);
    HttpResponse<byte[]> bundle = alice.http.send(alice.request("/api/v1/datasets/models/iris/bundle?version=1").GET()
        .build(), HttpResponse.BodyHandlers.ofByteArray());
    assertThat(bundle.headers().firstValue("content-type")).hasValue("application/x-tar");
    assertThat(bundle.body().length).isEqualTo(one.path("size").asInt());
    assertThat(sha256(bundle.body())).isEqualTo(one.path("sha256").asText());
    Map<String, byte[]> entries = entries(bundle.body());
    assertThat(entries.keySet()).containsExactly("config.json", "contract.py", "dcloud_serve.py", "model.joblib");
    assertThat(entries.get("model.joblib")).isEqualTo(first);
    assertThat(new String(entries.get("contract.py"), StandardCharsets.UTF_8)).isEqualTo(CONTRACT);
    assertThat(entries.get("dcloud_serve.py")).isEqualTo(wrapper());
    assertThat(Api.parse(new String(entries.get("config.json"), StandardCharsets.UTF_8)).path("name").asText())
        .isEqualTo("iris");

    JsonNode model = alice.get("/api/v1/models/iris").json();
    assertThat(model.path("owner").asText()).isEqualTo("alice");
    assertThat(model.path("versions").findValuesAsText("sha256"))
        .containsExactly(one.path("sha256").asText(), two.path("sha256").asText());
    assertThat(model.path("config").path("batching").path("max-size").asInt()).isEqualTo(8);
    JsonNode listed = alice.get("/api/v1/models").json().path("models");
    assertThat(listed.findValuesAsText("name")).contains("iris");
    JsonNode iris = listed.get(listed.findValuesAsText("name").indexOf("iris"));
    assertThat(iris.path("version").asInt()).isEqualTo(2);
    assertThat(iris.path("size").asLong()).isEqualTo(two.path("size").asLong());
  }

  @Test
  void aYamlConfigAndATorchScriptArtifactAreAccepted() throws Exception {
    String yaml = "name: tiny-torch\nruntime:\n  language-name: python\n  libraries: [torch]\nresources: {cpu: \"1\", ram: 1G}\n";

    JsonNode pushed = ModelUploads.push(alice, "net.pt", random(100), CONTRACT, yaml, "application/octet-stream").json();

    assertThat(pushed.path("version").asInt()).isEqualTo(1);
    assertThat(alice.get("/api/v1/models/tiny-torch").json().path("config").path("resources").path("ram").asText())
        .isEqualTo("1G");
  }

  @Test
  void othersSeeNothingMayNotTakeTheNameAndEndUsersMayNotUpload() {
    ModelUploads.push(alice, "m.pkl", random(10), CONTRACT, config("secret-model", ""), Api.JSON);

    assertThat(bob.get("/api/v1/models/secret-model").status()).isEqualTo(404);
    assertThat(bob.get("/api/v1/models").json().path("models").findValuesAsText("name")).doesNotContain("secret-model");
    assertThat(ModelUploads.push(bob, "m.pkl", random(10), CONTRACT, config("secret-model", ""), Api.JSON).problem(409)
        .path("detail").asText()).contains("taken");
    assertThat(ModelUploads.push(erin, "m.pkl", random(10), CONTRACT, config("erins", ""), Api.JSON).problem(403)
        .path("detail").asText()).contains("data scientists");
    assertThat(admin.get("/api/v1/models/secret-model").status()).isEqualTo(200);
  }

  @Test
  void badConfigFieldsAreEachNamed() {
    Api.Answer bad = ModelUploads.push(alice, "m.joblib", random(10), CONTRACT, "{\"name\": \"Not A Name\", \"runtime\": {\"language-name\": "
        + "\"python\"}, \"replicas\": 0, \"batching\": {\"max-size\": 0, \"max-wait-ms\": -1}, \"colour\": 1}", Api.JSON);

    assertThat(bad.problem(422).path("errors").findValuesAsText("field"))
        .contains("name", "replicas", "batching.max-size", "batching.max-wait-ms", "colour");
    assertThat(ModelUploads.push(alice, "m.joblib", random(10), CONTRACT, "{\"name\": \"m\"}", Api.JSON).reasonFor("runtime"))
        .contains("language-name");
  }

  @Test
  void theRuntimeAndResourcesAreJudgedAsTheReplicasEnvironmentWouldBe() {
    assertThat(ModelUploads.push(alice, "m.joblib", random(10), CONTRACT, "{\"name\": \"m\", \"runtime\": {\"language-name\": "
        + "\"cobol\"}}", Api.JSON).reasonFor("runtime.language-name")).contains("cobol");
    assertThat(ModelUploads.push(alice, "m.joblib", random(10), CONTRACT, "{\"name\": \"m\", \"runtime\": {\"language-name\": "
        + "\"python\", \"libraries\": [\"numpy\", \"no-such-lib\"]}}", Api.JSON).reasonFor("runtime.libraries[1]"))
        .contains("no-such-lib");
    assertThat(ModelUploads.push(alice, "m.joblib", random(10), CONTRACT, config("m", "\"resources\": {\"ram\": \"lots\"}"), Api.JSON)
        .errorFields()).contains("resources.ram");
    assertThat(alice.get("/api/v1/models/m").status()).isEqualTo(404);
  }

  @Test
  void missingAndWrongPartsAreNamed() {
    Map<String, ModelUploads.Part> noContract = new LinkedHashMap<>();
    noContract.put("model", new ModelUploads.Part("m.joblib", "application/octet-stream", random(10)));
    noContract.put("config", new ModelUploads.Part(null, Api.JSON, config("m", "").getBytes(StandardCharsets.UTF_8)));
    assertThat(ModelUploads.send(alice, noContract).reasonFor("contract")).contains("required");

    assertThat(ModelUploads.push(alice, "m.txt", random(10), CONTRACT, config("m", ""), Api.JSON).reasonFor("model"))
        .contains(".joblib");
    assertThat(ModelUploads.push(alice, "m.joblib", random(10), "def preprocess(request):\n    return request\n", config("m", ""),
        Api.JSON).reasonFor("contract")).contains("postprocess");
    assertThat(alice.post("/api/v1/models", Api.JSON, "{}").status()).isEqualTo(415);
  }

  /** Refused or stored, an upload leaves no spooled artifact behind (the tests' uploads are over by now). */
  @AfterAll
  static void noArtifactIsLeftSpooled() throws Exception {
    try (var left = java.nio.file.Files.list(java.nio.file.Path.of(System.getProperty("java.io.tmpdir")))) {
      assertThat(left.map(path -> path.getFileName().toString()).filter(name -> name.startsWith("dcloud-model-") && name.endsWith(".upload")))
          .isEmpty();
    }
  }

  private static String config(String name, String more) {
    return "{\"name\": \"" + name + "\", \"runtime\": {\"language-name\": \"python\", \"libraries\": [\"scikit-learn\"]}"
        + (more.isEmpty() ? "" : ", " + more) + "}";
  }

  /** The tar's regular files, in order. */
  private static Map<String, byte[]> entries(byte[] tar) {
    Map<String, byte[]> entries = new LinkedHashMap<>();
    int at = 0;
    while (at + 512 <= tar.length && tar[at] != 0) {
      String name = new String(tar, at, 100, StandardCharsets.UTF_8).replace("\0", "");
      int size = Integer.parseInt(new String(tar, at + 124, 11, StandardCharsets.US_ASCII).trim(), 8);
      byte[] content = new byte[size];
      System.arraycopy(tar, at + 512, content, 0, size);
      entries.put(name, content);
      at += 512 + (size + 511) / 512 * 512;
    }
    return entries;
  }

  private static byte[] wrapper() throws Exception {
    try (InputStream in = ModelApiTest.class.getResourceAsStream("/io/dcloud/serving/dcloud_serve.py")) {
      return in.readAllBytes();
    }
  }

  private static byte[] random(int length) {
    byte[] bytes = new byte[length];
    new Random(length).nextBytes(bytes);
    return bytes;
  }

  private static String sha256(byte[] bytes) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
  }
}
