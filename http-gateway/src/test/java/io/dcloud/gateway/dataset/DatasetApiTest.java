package io.dcloud.gateway.dataset;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.dcloud.dataset.DatasetEntity;
import io.dcloud.dataset.DatasetJanitor;
import io.dcloud.dataset.DatasetState;
import io.dcloud.gateway.Api;
import io.dcloud.gateway.GatewayTestCluster;
import io.dcloud.gateway.Seeds;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Datasets through the API: versions with their sha256, who may what, limits, and interrupted uploads. */
class DatasetApiTest {
  private static GatewayTestCluster cluster;
  private static Api admin;
  private static Api alice;
  private static Api bob;
  private static Api erin;

  @BeforeAll
  static void start() throws Exception {
    cluster = new GatewayTestCluster("DatasetApiTest");
    admin = Api.admin(cluster.base);
    for (String[] user : new String[][] {{"alice", "data-scientist"}, {"bob", "data-scientist"}, {"erin", "end-user"}}) {
      admin.createUser(user[0], user[1]);
    }
    assertThat(admin.post("/api/v1/groups", Api.JSON, "{\"name\": \"lab\", \"members\": [\"bob\"]}").status()).isEqualTo(201);
    alice = admin.signedIn("alice");
    bob = admin.signedIn("bob");
    erin = admin.signedIn("erin");
  }

  @AfterAll
  static void stop() {
    cluster.close();
  }

  @Test
  void eachPutIsTheNextVersionAndEachReadsBackWithItsSha256() throws Exception {
    byte[] first = random(3 * (1 << 20) + 5);
    byte[] second = random(1000);
    JsonNode one = upload(alice, "/api/v1/datasets/images/train/cats", first).json();
    JsonNode two = upload(alice, "/api/v1/datasets/images/train/cats", second).json();

    assertThat(one.path("version").asInt()).isEqualTo(1);
    assertThat(one.path("size").asLong()).isEqualTo(first.length);
    assertThat(one.path("sha256").asText()).isEqualTo(sha256(first));
    assertThat(two.path("version").asInt()).isEqualTo(2);
    HttpResponse<byte[]> latest = download(alice, "/api/v1/datasets/images/train/cats");
    assertThat(latest.body()).isEqualTo(second);
    assertThat(latest.headers().firstValue("X-Dataset-Version")).hasValue("2");
    assertThat(latest.headers().firstValue("X-Dataset-Sha256")).hasValue(sha256(second));
    assertThat(download(alice, "/api/v1/datasets/images/train/cats?version=1").body()).isEqualTo(first);

    JsonNode versions = alice.get("/api/v1/datasets/images/train/cats/versions").json();
    assertThat(versions.path("owner").asText()).isEqualTo("alice");
    assertThat(versions.path("versions").findValuesAsText("sha256")).containsExactly(sha256(first), sha256(second));
    JsonNode listed = alice.get("/api/v1/datasets?prefix=images/").json().path("datasets");
    assertThat(listed).hasSize(1);
    assertThat(listed.get(0).path("latest").path("version").asInt()).isEqualTo(2);
    assertThat(listed.get(0).path("versions").asInt()).isEqualTo(2);
  }

  @Test
  void othersSeeNothingUntilMadeReadersAndReadersMayNotChangeIt() {
    String path = "/api/v1/datasets/private/db/notes";
    upload(alice, path, "secret".getBytes(StandardCharsets.UTF_8));

    assertThat(bob.get(path).status()).isEqualTo(404);
    assertThat(bob.get("/api/v1/datasets?prefix=private/").json().path("datasets")).isEmpty();
    assertThat(erin.put(path, "text/plain", "x").problem(403).path("detail").asText()).contains("data scientists");
    assertThat(bob.put(path, "text/plain", "x").status()).isEqualTo(404);

    assertThat(alice.put(path + "/readers", Api.JSON, "{\"groups\": [\"lab\"]}").status()).isEqualTo(200);

    assertThat(bob.get(path).body()).isEqualTo("secret");
    assertThat(bob.get("/api/v1/datasets?prefix=private/").json().path("datasets")).hasSize(1);
    assertThat(bob.put(path, "text/plain", "x").status()).isEqualTo(403);
    assertThat(bob.delete(path).status()).isEqualTo(403);
    assertThat(admin.get(path).status()).isEqualTo(200);
  }

  @Test
  void deletingAVersionLeavesTheOthersAndDeletingAllFreesTheName() {
    String path = "/api/v1/datasets/scratch/db/tmp";
    upload(alice, path, "one".getBytes(StandardCharsets.UTF_8));
    upload(alice, path, "two".getBytes(StandardCharsets.UTF_8));

    JsonNode deleted = alice.delete(path + "?version=1").json();

    assertThat(deleted.path("deleted").toString()).isEqualTo("[1]");
    assertThat(deleted.path("remaining").toString()).isEqualTo("[2]");
    assertThat(alice.get(path + "?version=1").problem(404).path("detail").asText()).contains("no version 1");
    assertThat(alice.get(path).body()).isEqualTo("two");
    assertThat(alice.delete(path).json().path("deleted").toString()).isEqualTo("[2]");
    assertThat(alice.get(path).status()).isEqualTo(404);
    assertThat(upload(bob, path, "bob's".getBytes(StandardCharsets.UTF_8)).json().path("version").asInt()).isEqualTo(3);
  }

  @Test
  void badNamesAndVersionsAreNamedAndTooLargeUploadsRefused() throws IOException {
    assertThat(alice.put("/api/v1/datasets/a/-b/c", "text/plain", "x").reasonFor("db")).contains("letters, digits");
    upload(alice, "/api/v1/datasets/a/b/c", new byte[] {1});
    assertThat(alice.get("/api/v1/datasets/a/b/c?version=zero").reasonFor("version")).contains("positive");

    // The gateway refuses on the announced length before reading a byte, and closes the connection;
    // a client still writing the body then loses the answer, so only the head is sent here.
    String tooLarge = answerToHeadOnly(alice, "/api/v1/datasets/a/b/big", 9 << 20);

    assertThat(tooLarge).startsWith("HTTP/1.1 413").contains("dcloud.datasets.max-size");
    assertThat(alice.get("/api/v1/datasets/a/b/big").status()).isEqualTo(404);
  }

  /** What the gateway answers to a PUT's head announcing {@code length} bytes, none of which are sent. */
  private static String answerToHeadOnly(Api caller, String path, long length) throws IOException {
    try (Socket socket = new Socket(caller.base.getHost(), caller.base.getPort())) {
      socket.setSoTimeout((int) Api.REQUEST_TIMEOUT.toMillis());
      String head = "PUT " + path + " HTTP/1.1\r\nHost: " + caller.base.getHost() + "\r\nAuthorization: Bearer "
          + caller.token + "\r\nContent-Type: application/octet-stream\r\nContent-Length: " + length + "\r\n\r\n";
      socket.getOutputStream().write(head.getBytes(StandardCharsets.US_ASCII));
      socket.getOutputStream().flush();
      // Read the answer's head, then exactly its body: the gateway may keep the connection open.
      InputStream in = socket.getInputStream();
      StringBuilder answer = new StringBuilder();
      while (!answer.toString().endsWith("\r\n\r\n")) {
        int next = in.read();
        if (next < 0) {
          break;
        }
        answer.append((char) next);
      }
      Matcher bodyLength = Pattern.compile("(?i)content-length: *(\\d+)").matcher(answer);
      if (bodyLength.find()) {
        answer.append(new String(in.readNBytes(Integer.parseInt(bodyLength.group(1))), StandardCharsets.UTF_8));
      }
      return answer.toString();
    }
  }

  @Test
  void anEnvironmentConfigMayOnlyNameDatasetsItsOwnerCanRead() {
    upload(alice, "/api/v1/datasets/config/db/mounted", "x".getBytes(StandardCharsets.UTF_8));
    String latest = withDataset("latest");

    assertThat(alice.post("/api/v1/environments", Api.JSON, latest).status()).isEqualTo(202);
    assertThat(alice.post("/api/v1/environments", Api.JSON, withDataset("1")).status()).isEqualTo(202);
    Api.Answer missingVersion = alice.post("/api/v1/environments", Api.JSON, withDataset("2"));
    assertThat(missingVersion.reasonFor("dataset")).contains("config/db/mounted version 2").contains("alice");
    Api.Answer notBobs = bob.post("/api/v1/environments", Api.JSON, latest);
    assertThat(notBobs.reasonFor("dataset")).contains("config/db/mounted").contains("not readable by bob");
  }

  @Test
  void aVersionAnEnvironmentMountsIsNotDeletedUntilTheEnvironmentIsOver() {
    String path = "/api/v1/datasets/held/db/set";
    upload(alice, path, "one".getBytes(StandardCharsets.UTF_8));
    upload(alice, path, "two".getBytes(StandardCharsets.UTF_8));
    String config = Seeds.environmentWith(c -> {
      c.put("os", "debian");
      c.putObject("resources").put("cpu", "0.5").put("ram", "512M");
      c.remove("port-publish");
      c.remove("storage");
      c.putArray("dataset").addObject().put("category-name", "held").putArray("db").addObject()
          .put("db-name", "db").putArray("dataset").addObject().put("dataset-name", "set");
    });
    String environment = alice.post("/api/v1/environments", Api.JSON, config).json().path("id").asText();

    // The guard asks the gateway's read side: once it lists the environment, the version it holds stays.
    Awaitility.await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
        assertThat(alice.get("/api/v1/environments").json().path("environments").findValuesAsText("id"))
            .contains(environment));
    assertThat(alice.delete(path + "?version=2").problem(409).path("detail").asText()).contains(environment);
    assertThat(alice.delete(path + "?version=1").status()).isEqualTo(200);
    assertThat(alice.delete("/api/v1/environments/" + environment).status()).isEqualTo(202);

    Awaitility.await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
        assertThat(alice.delete(path).status()).isEqualTo(200));
  }

  @Test
  void aRangeOfAVersionIsServed() {
    upload(alice, "/api/v1/datasets/ranged/db/bytes", "0123456789".getBytes(StandardCharsets.UTF_8));

    Api.Answer part = alice.send(alice.request("/api/v1/datasets/ranged/db/bytes").header("Range", "bytes=2-5").GET().build());

    assertThat(part.status()).isEqualTo(206);
    assertThat(part.body()).isEqualTo("2345");
    assertThat(part.header("Content-Range")).isEqualTo("bytes 2-5/10");
  }

  @Test
  void aRangeReadsOnlyTheChunksThatHoldItAndOneBeyondTheEndIs416() {
    byte[] bytes = new byte[3 * 1024 * 1024 + 10];
    for (int i = 0; i < bytes.length; i++) {
      bytes[i] = (byte) ('a' + i % 26);
    }
    String path = "/api/v1/datasets/ranged/db/big";
    upload(alice, path, bytes);
    long before = cluster.chunks.reads();

    Api.Answer tail = alice.send(alice.request(path).header("Range", "bytes=-4").GET().build());

    assertThat(tail.status()).isEqualTo(206);
    assertThat(tail.body()).isEqualTo(new String(bytes, bytes.length - 4, 4, StandardCharsets.US_ASCII));
    assertThat(tail.header("Content-Range")).isEqualTo("bytes " + (bytes.length - 4) + "-" + (bytes.length - 1) + "/"
        + bytes.length);
    assertThat(cluster.chunks.reads() - before).as("the last of 4 chunks alone").isEqualTo(1);

    Api.Answer beyond = alice.send(alice.request(path).header("Range", "bytes=" + bytes.length + "-").GET().build());
    assertThat(beyond.problem(416).path("detail").asText()).contains(bytes.length + " bytes");
    assertThat(beyond.header("Content-Range")).isEqualTo("bytes */" + bytes.length);
  }

  @Test
  void readersMustNameUsersAndGroupsThatExist() {
    String path = "/api/v1/datasets/named/db/readers-checked";
    upload(alice, path, "x".getBytes(StandardCharsets.UTF_8));

    JsonNode problem = alice.put(path + "/readers", Api.JSON,
        "{\"users\": [\"bob\", \"nobody\"], \"groups\": [\"lab\", \"no-lab\"]}").problem(422);

    assertThat(problem.path("errors").toString()).contains("\"field\":\"users\"").contains("names no user: nobody")
        .contains("\"field\":\"groups\"").contains("names no group: no-lab").doesNotContain("bob");
    assertThat(alice.get(path + "/versions").json().path("readers").toString()).doesNotContain("bob");
    assertThat(alice.put(path + "/readers", Api.JSON, "{\"users\": [\"bob\"], \"groups\": [\"lab\"]}").status())
        .isEqualTo(200);
  }

  private static String withDataset(String version) {
    return Seeds.environmentWith(config -> {
      config.put("os", "debian");
      config.putObject("resources").put("cpu", "0.5").put("ram", "512M");
      config.remove("port-publish");
      config.remove("storage");
      config.putArray("dataset").addObject().put("category-name", "config").putArray("db").addObject()
          .put("db-name", "db").putArray("dataset").addObject().put("dataset-name", "mounted").put("version", version);
    });
  }

  @Test
  void anInterruptedUploadMakesNoVersionAndTheJanitorReclaimsItsChunks() throws Exception {
    String path = "/api/v1/datasets/cut/db/off";
    upload(alice, path, "kept".getBytes(StandardCharsets.UTF_8));
    try (Socket socket = new Socket(cluster.base.getHost(), cluster.base.getPort())) {
      OutputStream out = socket.getOutputStream();
      out.write(("PUT " + path + " HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer " + alice.token
          + "\r\nContent-Type: application/octet-stream\r\nContent-Length: 5000000\r\n\r\n")
          .getBytes(StandardCharsets.US_ASCII));
      out.write(new byte[3 << 20]);
      out.flush();
      Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> state("cut/db/off").pending().size() == 1);
      String blob = state("cut/db/off").pending().keySet().iterator().next();
      Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> cluster.chunks.chunks(blob) > 0);
    }
    // The gateway abandons the upload when its body ends short.
    Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> state("cut/db/off").garbage().size() == 1);
    String abandoned = state("cut/db/off").garbage().get(0);

    DatasetJanitor.sweep(cluster.testKit.system(), cluster.backends.datasets().listing(),
        cluster.backends.datasets().blobs(), cluster.backends.datasets().entities(), Duration.ofDays(1),
        Duration.ofSeconds(3), Clock.systemUTC()).toCompletableFuture().get(10, TimeUnit.SECONDS);

    assertThat(cluster.chunks.chunks(abandoned)).isZero();
    assertThat(state("cut/db/off").garbage()).isEmpty();
    assertThat(alice.get(path + "/versions").json().path("versions")).hasSize(1);
    assertThat(alice.get(path).body()).isEqualTo("kept");
  }

  private static DatasetState state(String id) throws Exception {
    return AskPattern.<DatasetEntity.Command, DatasetState>ask(cluster.backends.datasets().entities().apply(id),
        DatasetEntity.Get::new, Duration.ofSeconds(3), cluster.testKit.system().scheduler())
        .toCompletableFuture().get(5, TimeUnit.SECONDS);
  }

  private static Api.Answer upload(Api api, String path, byte[] bytes) {
    Api.Answer answer = api.send(api.request(path).header("content-type", "application/octet-stream")
        .PUT(HttpRequest.BodyPublishers.ofByteArray(bytes)).build());
    assertThat(answer.status()).as(answer.body()).isEqualTo(201);
    return answer;
  }

  private static HttpResponse<byte[]> download(Api api, String path) throws Exception {
    HttpResponse<byte[]> response = api.http.send(api.request(path).GET().build(), HttpResponse.BodyHandlers.ofByteArray());
    assertThat(response.statusCode()).isEqualTo(200);
    return response;
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
