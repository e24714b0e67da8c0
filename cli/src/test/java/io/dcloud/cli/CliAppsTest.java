package io.dcloud.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.dcloud.cli.common.ExitCodes;
import io.dcloud.gateway.GatewayTestCluster;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.zip.GZIPOutputStream;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code dcloud apps push|ls} against a real gateway (GatewayTestCluster: in-memory journal and blobs, no worker). */
class CliAppsTest {
  private static GatewayTestCluster cluster;

  @TempDir
  Path dir;

  @BeforeAll
  static void start() throws Exception {
    cluster = new GatewayTestCluster("cli-apps-test");
  }

  @AfterAll
  static void stop() {
    cluster.close();
  }

  private CliRunner signedIn() {
    CliRunner cli = new CliRunner(dir);
    CliRunner.Result login = cli.runWithStdin(GatewayTestCluster.ADMIN_PASSWORD + "\n",
        "login", "--api", cluster.base.toString(), "--username", "admin", "--password-stdin");
    assertThat(login.status()).as(login.toString()).isZero();
    return cli;
  }

  @Test
  void pushesADirectoryCreatingTheServiceAndListsTheApp() throws Exception {
    CliRunner cli = signedIn();
    Path app = Files.createDirectories(dir.resolve("web/static"));
    Files.writeString(app.getParent().resolve("app.py"), "print('hi')\n");
    Files.writeString(app.resolve("index.html"), "<p>hi</p>\n");
    Files.writeString(app.getParent().resolve("app.yaml"),
        "name: web\nruntime:\n  language-name: python\ncommand: [python3, app.py]\nport: 8000\nreplicas: 2\n");

    // No -c: the directory's app.yaml, as docker build finds its Dockerfile.
    CliRunner.Result pushed = cli.run("apps", "push", app.getParent().toString());

    assertThat(pushed.status()).as(pushed.toString()).isZero();
    assertThat(pushed.out()).isEqualTo("web version 1\n");
    assertThat(pushed.err()).contains("service web version 1, 2 replica(s) on port 8000");
    assertThat(cli.run("services", "ls").out()).contains("web");
    assertThat(cli.run("apps", "ls").out()).contains("NAME").containsPattern("web\\s+admin\\s+1\\s");
    assertThat(cli.run("apps", "get", "web").out()).contains("VERSION", "CREATED BY").containsPattern("(?m)^1\\s.*\\sadmin\\s");
    assertThat(cli.run("apps", "get", "web", "-o", "yaml").out()).contains("port: 8000");
  }

  /** {@code --wait} follows the roll, saying while a replica is not ready why (no worker here: it waits in the queue). */
  @Test
  void pushWithWaitFollowsTheRollAndSaysWhyItWaits() throws Exception {
    CliRunner cli = signedIn();
    Path app = Files.createDirectories(dir.resolve("waited"));
    Files.writeString(app.resolve("app.py"), "print('hi')\n");
    Path config = Files.writeString(dir.resolve("waited.yaml"),
        "name: waited\nruntime:\n  language-name: python\ncommand: [python3, app.py]\nport: 8000\n");

    CliRunner.Running waiting = cli.start("apps", "push", app.toString(), "-c", config.toString(), "--wait");

    Awaitility.await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(waiting.errSoFar())
        .containsPattern("waited: 0/1 replicas of version 1 ready; replica \\S+ QUEUED: no worker node is up yet"));
    assertThat(waiting.result()).as("still following it").isNotDone();
  }

  /** An app goes whole: its service, then its source once the replicas that mount it are gone. */
  @Test
  void removesAnAppsServiceAndThenItsSourceOrKeepsItsVersions() throws Exception {
    CliRunner cli = signedIn();
    Path app = Files.createDirectories(dir.resolve("doomed"));
    Files.writeString(app.resolve("app.py"), "print('hi')\n");
    for (String name : new String[] {"doomed", "kept"}) {
      Path config = Files.writeString(dir.resolve(name + ".yaml"),
          "name: " + name + "\nruntime:\n  language-name: python\ncommand: [python3, app.py]\nport: 8000\n");
      CliRunner.Result pushed = cli.run("apps", "push", app.toString(), "-c", config.toString());
      assertThat(pushed.status()).as(pushed.toString()).isZero();
    }

    CliRunner.Result removed = cli.run("apps", "rm", "doomed");
    assertThat(removed.status()).as(removed.toString()).isZero();
    assertThat(removed.out()).isEqualTo("doomed\n");
    assertThat(removed.err()).contains("service doomed deleted", "apps/doomed/source deleted, every version");
    assertThat(cli.run("apps", "ls").out()).doesNotContain("doomed");
    assertThat(cli.run("services", "get", "doomed").status()).isEqualTo(ExitCodes.NOT_FOUND);
    assertThat(cli.run("apps", "rm", "doomed").status()).as("gone").isEqualTo(ExitCodes.NOT_FOUND);

    CliRunner.Result serviceOnly = cli.run("apps", "rm", "kept", "--keep-versions");
    assertThat(serviceOnly.status()).as(serviceOnly.toString()).isZero();
    assertThat(cli.run("apps", "ls").out()).contains("kept");
    CliRunner.Result rest = cli.run("apps", "rm", "kept");
    assertThat(rest.status()).as(rest.toString()).isZero();
    assertThat(rest.err()).contains("app kept has no service", "apps/kept/source deleted, every version");
  }

  @Test
  void pushesAnArchiveAsItIsAndNamesABadFieldOrABadArchive() throws Exception {
    CliRunner cli = signedIn();
    Path config = Files.writeString(dir.resolve("app.json"), "{\"name\": \"archived\", \"runtime\": {\"language-name\": "
        + "\"python\"}, \"command\": \"python3 app.py\", \"port\": 8000}");
    Path notAnArchive = Files.writeString(dir.resolve("app.tgz"), "not an archive");

    CliRunner.Result refused = cli.run("apps", "push", notAnArchive.toString(), "-c", config.toString());
    assertThat(refused.status()).isEqualTo(ExitCodes.USAGE);
    assertThat(refused.err()).contains("source");

    Path bad = Files.writeString(dir.resolve("bad.json"), "{\"name\": \"archived\", \"runtime\": {\"language-name\": "
        + "\"python\"}, \"command\": \"python3 app.py\", \"port\": 0}");
    Path empty = dir.resolve("empty.tar.gz");
    try (GZIPOutputStream out = new GZIPOutputStream(Files.newOutputStream(empty))) {
      out.write(new byte[1024]);
    }
    CliRunner.Result badField = cli.run("apps", "push", empty.toString(), "-c", bad.toString());
    assertThat(badField.status()).isEqualTo(ExitCodes.USAGE);
    assertThat(badField.err()).contains("port");
    assertThat(cli.run("apps", "push", dir.resolve("missing").toString(), "-c", config.toString()).status())
        .isEqualTo(ExitCodes.USAGE);
    CliRunner.Result noConfig = cli.run("apps", "push", empty.toString());
    assertThat(noConfig.status()).isEqualTo(ExitCodes.USAGE);
    assertThat(noConfig.err()).contains("give the app's config with -c FILE: an archive's is not looked for");
    Path bare = Files.createDirectories(dir.resolve("bare"));
    assertThat(cli.run("apps", "push", bare.toString()).err())
        .contains("give the app's config with -c FILE: " + bare + " has no app.yaml, app.yml, app.json");
  }
}
