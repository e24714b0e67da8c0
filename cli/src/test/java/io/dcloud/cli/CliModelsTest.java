package io.dcloud.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dcloud.cli.common.ExitCodes;
import io.dcloud.cli.service.ServiceRollout;
import io.dcloud.gateway.GatewayTestCluster;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code dcloud models push|ls} against a real gateway (GatewayTestCluster: in-memory journal and blobs). */
class CliModelsTest {
  private static GatewayTestCluster cluster;

  @TempDir
  Path dir;

  @BeforeAll
  static void start() throws Exception {
    cluster = new GatewayTestCluster("cli-models-test");
  }

  @AfterAll
  static void stop() {
    cluster.close();
  }

  /** A CLI signed in as the admin. */
  private CliRunner signedIn() {
    CliRunner cli = new CliRunner(dir);
    CliRunner.Result login = cli.runWithStdin(GatewayTestCluster.ADMIN_PASSWORD + "\n",
        "login", "--api", cluster.base.toString(), "--username", "admin", "--password-stdin");
    assertThat(login.status()).as(login.toString()).isZero();
    return cli;
  }

  /** A contract that passes requests and predictions through. */
  private Path contract() throws java.io.IOException {
    return Files.writeString(dir.resolve("contract.py"),
        "def preprocess(request):\n    return request\n\n\ndef postprocess(prediction):\n    return prediction\n");
  }

  @Test
  void pushesVersionsListsThemAndNamesABadField() throws Exception {
    CliRunner cli = signedIn();
    Path model = Files.write(dir.resolve("iris.joblib"), new byte[] {1, 2, 3, 4});
    Path contract = contract();
    Path config = Files.writeString(dir.resolve("config.yaml"),
        "name: iris\nruntime:\n  language-name: python\n  libraries: [scikit-learn]\nreplicas: 2\n");

    CliRunner.Result first = cli.run("models", "push", "--model", model.toString(), "--contract", contract.toString(),
        "--config", config.toString());
    CliRunner.Result second = cli.run("models", "push", "--model", model.toString(), "--contract", contract.toString(),
        "--config", config.toString());

    assertThat(first.status()).as(first.toString()).isZero();
    assertThat(first.out()).isEqualTo("iris version 1\n");
    assertThat(second.out()).isEqualTo("iris version 2\n");
    assertThat(second.err()).as("what to do next").contains("serve it: dcloud models deploy iris --version 2 --wait");
    assertThat(cli.run("models", "ls").out()).contains("NAME").containsPattern("iris\\s+admin\\s+2\\s");
    assertThat(cli.run("models", "-o", "json").out()).contains("\"name\" : \"iris\"", "\"version\" : 2");
    assertThat(cli.run("models", "get", "iris").out()).contains("VERSION", "SHA256").containsPattern("(?m)^2\\s+[0-9.]+ KiB\\s+[0-9a-f]{64}\\s+admin\\s");
    assertThat(cli.run("models", "get", "iris", "-o", "json").out()).contains("\"scikit-learn\"");
    assertThat(cli.run("models", "get", "no-such-model").status()).isEqualTo(ExitCodes.NOT_FOUND);

    Path bad = Files.writeString(dir.resolve("bad.json"), "{\"name\": \"iris\", \"runtime\": {\"language-name\": "
        + "\"python\"}, \"replicas\": 0}");
    CliRunner.Result refused = cli.run("models", "push", "--model", model.toString(), "--contract",
        contract.toString(), "--config", bad.toString());
    assertThat(refused.status()).isEqualTo(ExitCodes.USAGE);
    assertThat(refused.err()).contains("replicas");
  }

  /** {@code models push DIR}: its one artifact, contract.py and model.yaml, as {@code apps push DIR} takes its app.yaml. */
  @Test
  void pushesADirectorysModelContractAndConfigAndSaysWhichItCannotTell() throws Exception {
    CliRunner cli = signedIn();
    Path folder = Files.createDirectories(dir.resolve("trained"));
    Files.write(folder.resolve("net.pt"), new byte[] {5, 6, 7});
    Files.writeString(folder.resolve("contract.py"), "def preprocess(r):\n    return r\n\n\ndef postprocess(p):\n    return p\n");
    Files.writeString(folder.resolve("model.yaml"), "name: net\nruntime:\n  language-name: python\n");

    CliRunner.Result pushed = cli.run("models", "push", folder.toString());

    assertThat(pushed.status()).as(pushed.toString()).isZero();
    assertThat(pushed.out()).isEqualTo("net version 1\n");
    Files.write(folder.resolve("older.pt"), new byte[] {1});
    CliRunner.Result two = cli.run("models", "push", folder.toString());
    assertThat(two.status()).isEqualTo(ExitCodes.USAGE);
    assertThat(two.err()).contains("give the model with --model FILE: ", "has 2 of them: [net.pt, older.pt]");
    assertThat(cli.run("models", "push", folder.toString(), "--model", folder.resolve("older.pt").toString()).out())
        .isEqualTo("net version 2\n");
    Path empty = Files.createDirectories(dir.resolve("untrained"));
    assertThat(cli.run("models", "push", empty.toString()).err()).contains("has no .joblib, .pkl, .pt file");
  }

  /** A model goes whole: its service, then its bundle's versions once the replicas that mount it are gone. */
  @Test
  void removesADeployedModelsServiceAndThenItsBundle() throws Exception {
    CliRunner cli = signedIn();
    Path model = Files.write(dir.resolve("gone.joblib"), new byte[] {1, 2, 3, 4});
    Path config = Files.writeString(dir.resolve("gone.yaml"), "name: gone\nruntime:\n  language-name: python\n");
    CliRunner.Result pushed = cli.run("models", "push", "--model", model.toString(), "--contract", contract().toString(),
        "--config", config.toString());
    assertThat(pushed.status()).as(pushed.toString()).isZero();
    assertThat(cli.run("models", "deploy", "gone").status()).isZero();

    CliRunner.Result removed = cli.run("models", "rm", "gone");

    assertThat(removed.status()).as(removed.toString()).isZero();
    assertThat(removed.err()).contains("service gone deleted", "models/gone/bundle deleted, every version");
    assertThat(cli.run("models", "get", "gone").status()).isEqualTo(ExitCodes.NOT_FOUND);
    assertThat(cli.run("services", "get", "gone").status()).isEqualTo(ExitCodes.NOT_FOUND);
  }

  @Test
  void deploysAVersionAsAServiceThenRollsItToTheLatest() throws Exception {
    CliRunner cli = signedIn();
    Path model = Files.write(dir.resolve("m.joblib"), new byte[] {1, 2, 3, 4});
    Path contract = contract();
    Path config = Files.writeString(dir.resolve("config.yaml"),
        "name: served\nruntime:\n  language-name: python\nreplicas: 2\nbatching: {max-size: 4, max-wait-ms: 2}\n");
    for (int i = 0; i < 2; i++) {
      CliRunner.Result pushed = cli.run("models", "push", "--model", model.toString(), "--contract", contract.toString(),
          "--config", config.toString());
      assertThat(pushed.status()).as(pushed.toString()).isZero();
    }

    CliRunner.Result first = cli.run("models", "deploy", "served", "--version", "1");
    CliRunner.Result latest = cli.run("models", "deploy", "served");

    assertThat(first.status()).as(first.toString()).isZero();
    assertThat(first.out()).isEqualTo("served service version 1, 2 replicas\n");
    assertThat(latest.out()).as(latest.toString()).isEqualTo("served service version 2, 2 replicas\n");
    assertThat(cli.run("services", "get", "served").out()).contains("VERSION").containsPattern("\\s(true|false) +2 ");
    CliRunner.Result missing = cli.run("models", "deploy", "served", "--version", "7");
    assertThat(missing.status()).as(missing.toString()).isEqualTo(ExitCodes.NOT_FOUND);
    assertThat(missing.err()).contains("version");
  }

  @Test
  void waitingForADeployThatCannotGoOnSaysWhy() throws Exception {
    CliRunner cli = signedIn();
    Path model = Files.write(dir.resolve("w.joblib"), new byte[] {1, 2, 3, 4});
    Path contract = contract();
    Path config = Files.writeString(dir.resolve("config.yaml"), "name: waiting\nruntime:\n  language-name: python\n");
    CliRunner.Result pushed = cli.run("models", "push", "--model", model.toString(), "--contract", contract.toString(),
        "--config", config.toString());
    assertThat(pushed.status()).as(pushed.toString()).isZero();

    // No worker in this cluster: its replica stays queued, and the wait says so.
    CliRunner.Running waiting = cli.start("models", "deploy", "waiting", "--wait");

    Awaitility.await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(waiting.errSoFar())
        .containsPattern("waiting: 0/1 replicas of version 1 ready; replica \\S+ QUEUED: .+"));
    assertThat(waiting.result()).isNotDone();
  }

  @Test
  void aRollIsDoneWhenEveryReplicaIsOfTheVersionAndReady() throws Exception {
    ObjectMapper json = new ObjectMapper();
    JsonNode rolling = json.readTree("""
        {"version": 2, "desiredReplicas": 2, "replicas": [
          {"version": 1, "ready": true}, {"version": 2, "ready": true}, {"version": 2, "ready": false}]}""");
    JsonNode rolled = json.readTree("""
        {"version": 2, "desiredReplicas": 2, "replicas": [{"version": 2, "ready": true}, {"version": 2, "ready": true}]}""");

    ServiceRollout.Progress during = ServiceRollout.Progress.of(rolling, 2);
    assertThat(during).isEqualTo(new ServiceRollout.Progress(1, 2, 1));
    assertThat(during.done()).isFalse();
    assertThat(during.line("m", 2)).isEqualTo("m: 1/2 replicas of version 2 ready, 1 of earlier versions still serving");
    assertThat(ServiceRollout.Progress.of(rolled, 2).done()).isTrue();
  }
}
