package io.dcloud.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.dcloud.cli.common.ExitCodes;
import io.dcloud.gateway.GatewayTestCluster;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.TimeUnit;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The CLI against a real gateway on a one-node cluster (GatewayTestCluster: in-memory journal, no
 * worker, so environments stay queued), run in-process as a script would run it.
 */
class CliGatewayTest {
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String SPEC = """
      env-name: from-cli
      os: debian
      languages:
        - language-name: python
          libraries: [numpy]
      resources: {ram: 512M, cpu: "0.5"}
      """;

  private static GatewayTestCluster cluster;
  private static String api;

  @TempDir
  Path config;

  @BeforeAll
  static void start() throws Exception {
    cluster = new GatewayTestCluster("cli-gateway-test");
    api = cluster.base.toString();
  }

  @AfterAll
  static void stop() {
    cluster.close();
  }

  /** A CLI signed in as the admin, by 'dcloud login --password-stdin'. */
  private CliRunner signedIn() {
    CliRunner cli = new CliRunner(config);
    CliRunner.Result login = cli.runWithStdin(GatewayTestCluster.ADMIN_PASSWORD + "\n",
        "login", "--api", api, "--username", "admin", "--password-stdin");
    assertThat(login.status()).as(login.toString()).isZero();
    return cli;
  }

  private static CliRunner.Result ok(CliRunner.Result result) {
    assertThat(result.status()).as(result.toString()).isZero();
    return result;
  }

  private String createDetached(CliRunner cli, String... extra) throws Exception {
    Path spec = Files.writeString(config.resolve("spec.yaml"), SPEC);
    String[] args = new String[] {"env", "create", "-f", spec.toString(), "--detach"};
    String[] all = java.util.stream.Stream.concat(java.util.Arrays.stream(args), java.util.Arrays.stream(extra))
        .toArray(String[]::new);
    return ok(cli.run(all)).out().strip();
  }

  /** The ids {@code env ls --name from-cli} lists, in its order. */
  private static List<String> listed(CliRunner cli, String... options) throws Exception {
    String[] args = java.util.stream.Stream.concat(
        java.util.stream.Stream.of("env", "ls", "--name", "from-cli", "-o", "json"), java.util.Arrays.stream(options))
        .toArray(String[]::new);
    List<String> ids = new java.util.ArrayList<>();
    JSON.readTree(ok(cli.run(args)).out()).path("environments").forEach(environment -> ids.add(environment.path("id").asText()));
    return ids;
  }

  @Test
  void logsInKeepingTheTokenPrivateAndLogsOut() throws Exception {
    CliRunner cli = signedIn();
    Path file = config.resolve("dcloud/config.json");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
    JsonNode stored = JSON.readTree(file.toFile());
    assertThat(stored.path("api").asText()).isEqualTo(api);
    assertThat(stored.path("token").asText()).isNotBlank();

    assertThat(ok(cli.run("users", "me")).out()).contains("admin");
    ok(cli.run("logout"));
    assertThat(JSON.readTree(file.toFile()).path("token").isNull()).isTrue();
    CliRunner.Result after = cli.run("users", "me");
    assertThat(after.status()).as(after.toString()).isEqualTo(ExitCodes.UNAUTHENTICATED);

    // The revocation reaches the gateway's token check asynchronously: look until it has.
    CliRunner withOldToken = new CliRunner(config).with("DCLOUD_TOKEN", stored.path("token").asText());
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    CliRunner.Result revoked = withOldToken.run("users", "me", "--api", api);
    while (revoked.status() == ExitCodes.OK && System.nanoTime() < deadline) {
      revoked = withOldToken.run("users", "me", "--api", api);
    }
    assertThat(revoked.status()).as("the gateway refuses the logged-out token").isEqualTo(ExitCodes.UNAUTHENTICATED);
    assertThat(revoked.err()).as("said once").contains("sign in again with dcloud login").doesNotContain("(sign in again");
  }

  @Test
  void aWrongPasswordIsUnauthenticatedAndStoresNothing() {
    CliRunner.Result login = new CliRunner(config).runWithStdin("wrong-password\n",
        "login", "--api", api, "-u", "admin", "--password-stdin");
    assertThat(login.status()).as(login.toString()).isEqualTo(ExitCodes.UNAUTHENTICATED);
    assertThat(config.resolve("dcloud/config.json")).doesNotExist();
  }

  @Test
  void createsListsShowsAndDeletesAnEnvironment() throws Exception {
    CliRunner cli = signedIn();
    String id = createDetached(cli, "--set", "resources.ram=1G", "--set", "env.GREETING=hi");

    String table = ok(cli.run("env", "ls")).out();
    assertThat(table.lines().findFirst().orElseThrow()).startsWith("ID").contains("NAME", "STATUS");
    assertThat(table).contains(id).contains("from-cli");

    JsonNode shown = JSON.readTree(ok(cli.run("env", "get", id, "-o", "json")).out());
    assertThat(shown.path("id").asText()).isEqualTo(id);
    assertThat(shown.path("resources").path("ram").asText()).as("--set over -f").isEqualTo("1G");
    assertThat(shown.path("spec").path("env").has("GREETING")).as("--set of a map entry").isTrue();
    JsonNode yaml = new YAMLMapper().readTree(ok(cli.run("env", "get", id, "-o", "yaml")).out());
    assertThat(yaml.path("name").asText()).isEqualTo("from-cli");

    JsonNode filtered = JSON.readTree(ok(cli.run("env", "ls", "--name", "no-such-name", "-o", "json")).out());
    assertThat(filtered.path("environments")).isEmpty();
    // A page at a time: the same list, however many pages it takes.
    String second = createDetached(cli);
    List<String> whole = Awaitility.await().atMost(WAIT).until(
        () -> listed(cli, "--chunk-size", "0"), listed -> listed.containsAll(List.of(id, second)));
    assertThat(listed(cli, "--chunk-size", "1")).containsExactlyElementsOf(whole);
    assertThat(ok(cli.run("env", "ls", "-q")).out().lines().toList()).as("the ids alone, as docker ps -q")
        .containsExactlyElementsOf(whole);
    ok(cli.run("env", "rm", second));

    assertThat(ok(cli.run("env", "rm", id)).out()).startsWith(id + " ");
    CliRunner.Result missing = cli.run("env", "get", "00000000-0000-0000-0000-000000000000");
    assertThat(missing.status()).as(missing.toString()).isEqualTo(ExitCodes.NOT_FOUND);
    assertThat(missing.err()).startsWith("dcloud: ").doesNotContain("\n\n");
  }

  @Test
  void anEnvironmentIsNamedByItsIdItsNameOrTheStartOfItsId() throws Exception {
    CliRunner cli = signedIn();
    String id = createDetached(cli, "--name", "by-name");
    String twin = createDetached(cli, "--name", "twins");
    String otherTwin = createDetached(cli, "--name", "twins");

    // The listing that names resolve against is the read side's: the new ones show up there shortly.
    String byName = Awaitility.await().atMost(WAIT).until(() -> cli.run("env", "get", "by-name", "-o", "json"),
        result -> result.status() == 0).out();
    assertThat(JSON.readTree(byName).path("id").asText()).isEqualTo(id);
    JsonNode byPrefix = JSON.readTree(ok(cli.run("env", "get", id.substring(0, 8), "-o", "json")).out());
    assertThat(byPrefix.path("id").asText()).isEqualTo(id);
    CliRunner.Result twins = Awaitility.await().atMost(WAIT).until(() -> cli.run("env", "get", "twins"),
        result -> result.status() != ExitCodes.NOT_FOUND && result.status() != 0);
    assertThat(twins.status()).as(twins.toString()).isEqualTo(ExitCodes.USAGE);
    assertThat(twins.err()).contains("2 environments are named twins").contains(twin).contains(otherTwin)
        .contains("by its id");
    CliRunner.Result none = cli.run("env", "stop", "no-such-environment");
    assertThat(none.status()).as(none.toString()).isEqualTo(ExitCodes.NOT_FOUND);
    assertThat(none.err()).contains("environment no-such-environment was not found").contains("dcloud env ls");

    // Several at once, as docker rm a b: one that names nothing is said, the others are done.
    CliRunner.Result several = cli.run("env", "rm", "by-name", "no-such-environment", twin, otherTwin.substring(0, 13), "--wait");
    assertThat(several.status()).as("the first failure's status: %s", several).isEqualTo(ExitCodes.NOT_FOUND);
    assertThat(several.err()).contains("environment no-such-environment was not found");
    assertThat(several.out()).isEqualTo(id + " DELETED\n" + twin + " DELETED\n" + otherTwin + " DELETED\n");
  }

  @Test
  void healthAndTheOpenApiDescriptionNeedNoSignIn() throws Exception {
    CliRunner cli = new CliRunner(config);

    CliRunner.Result health = ok(cli.run("--api", api, "health"));
    assertThat(health.out().strip()).isEqualTo("UP  " + api.replaceAll("/$", ""));
    JsonNode openApi = JSON.readTree(ok(cli.run("--api", api, "openapi")).out());
    assertThat(openApi.path("openapi").asText()).startsWith("3.");
    assertThat(openApi.path("paths").has("/environments")).isTrue();
    assertThat(ok(cli.run("--api", api, "openapi", "-o", "yaml")).out()).startsWith("openapi: ");
  }

  @Test
  void aDryRunPrintsTheYamlDockerfileAndPlacementAndCreatesNothing() throws Exception {
    CliRunner cli = signedIn();
    Path spec = Files.writeString(config.resolve("dry.yaml"), SPEC);

    CliRunner.Result result = ok(cli.run("env", "create", "-f", spec.toString(), "--name", "dry-cli", "--dry-run"));

    assertThat(result.out()).contains("== request (YAML) ==", "env-name: \"dry-cli\"", "== Dockerfile ==", "\nFROM debian",
        "python3-numpy", "== placement ==\nqueued: no worker node is up yet");
    assertThat(JSON.readTree(ok(cli.run("env", "ls", "--name", "dry-cli", "-o", "json")).out()).path("environments")).isEmpty();
    CliRunner.Result invalid = cli.run("env", "create", "-f", spec.toString(), "--set", "resources.ram=lots", "--dry-run");
    assertThat(invalid.status()).as(invalid.toString()).isEqualTo(ExitCodes.USAGE);
    assertThat(invalid.err()).contains("resources.ram");
    CliRunner.Result template = cli.run("env", "create", "--template", "python-ml", "--dry-run");
    assertThat(template.status()).as(template.toString()).isEqualTo(ExitCodes.USAGE);
  }

  @Test
  void anInvalidContractIsOneLineNamingTheField() throws Exception {
    CliRunner cli = signedIn();
    Path spec = Files.writeString(config.resolve("bad.yaml"), SPEC);
    CliRunner.Result result = cli.run("env", "create", "-f", spec.toString(), "--set", "resources.ram=lots");
    assertThat(result.status()).as(result.toString()).isEqualTo(ExitCodes.USAGE);
    assertThat(result.err().lines()).hasSize(1);
    assertThat(result.err()).contains("resources.ram");
  }

  @Test
  void followsTheNewEnvironmentSaysWhyItWaitsAndReportsWhyItEndedWithoutRunning() throws Exception {
    CliRunner cli = signedIn();
    Path spec = Files.writeString(config.resolve("follow.yaml"), SPEC.replace("from-cli", "followed"));
    CliRunner.Running following = cli.start("env", "create", "-f", spec.toString());
    // No worker: it waits queued, until it is deleted under the follower.
    String id = awaitListed(cli, "followed");
    String reason = JSON.readTree(ok(cli.run("env", "get", id, "-o", "json")).out()).path("reason").asText();
    assertThat(reason).as("why it is queued").isNotBlank();
    Awaitility.await().atMost(WAIT).untilAsserted(() -> assertThat(following.errSoFar())
        .as("the progress line says why, whole when stderr is no terminal").contains("QUEUED").contains(reason));
    // Queued: on no node yet, so a node filter leaves it out.
    assertThat(JSON.readTree(ok(cli.run("env", "ls", "--name", "followed", "--node", "n1", "-o", "json")).out())
        .path("environments")).isEmpty();
    ok(cli.run("env", "rm", id));
    CliRunner.Result result = following.result().get(60, TimeUnit.SECONDS);
    assertThat(result.status()).as(result.toString()).isEqualTo(ExitCodes.ENVIRONMENT_FAILED);
    assertThat(result.err()).as("the progress line, then why").contains("REQUESTED").contains("environment " + id + " is DELETED");
    assertThat(result.out()).isEmpty();
  }

  @Test
  void startFollowsTheEnvironmentAsCreateDoesUnlessDetached() throws Exception {
    CliRunner cli = signedIn();
    String id = createDetached(cli, "--set", "env-name=restarted");
    awaitListed(cli, "restarted");
    CliRunner.Result stoppedFirst = ok(cli.run("env", "stop", id, "--wait"));
    assertThat(stoppedFirst.out()).as("followed until it has stopped").isEqualTo(id + " STOPPED\n");
    assertThat(ok(cli.run("env", "wait", id, "--for", "stopped")).out()).as("as kubectl wait --for").isEqualTo(id + " STOPPED\n");
    CliRunner.Result notRunning = cli.run("env", "wait", id);
    assertThat(notRunning.status()).as("stopped: it will not run by itself").isEqualTo(ExitCodes.ENVIRONMENT_FAILED);
    assertThat(notRunning.err()).contains("environment " + id + " is STOPPED");
    CliRunner.Result unknown = cli.run("env", "wait", id, "--for", "sleeping");
    assertThat(unknown.status()).isEqualTo(ExitCodes.USAGE);
    assertThat(unknown.err()).contains("use running, stopped or deleted");
    assertThat(JSON.readTree(ok(cli.run("env", "get", id, "-o", "json")).out()).path("status").asText())
        .isEqualTo("STOPPED");

    CliRunner.Running starting = cli.start("env", "start", id);
    Awaitility.await().atMost(WAIT).untilAsserted(() -> assertThat(starting.errSoFar())
        .as("no worker: the start queues, and says why").contains("QUEUED  ").contains("no worker node is up yet"));
    ok(cli.run("env", "stop", id));
    CliRunner.Result stopped = starting.result().get(60, TimeUnit.SECONDS);
    assertThat(stopped.status()).as(stopped.toString()).isEqualTo(ExitCodes.ENVIRONMENT_FAILED);
    assertThat(stopped.err()).contains("environment " + id + " is STOP");

    Awaitility.await().atMost(WAIT).until(() -> JSON.readTree(ok(cli.run("env", "get", id, "-o", "json")).out())
        .path("status").asText().equals("STOPPED"));
    assertThat(ok(cli.run("env", "start", id, "--detach")).out()).startsWith(id + " ");
    CliRunner.Result restarted = ok(cli.run("env", "restart", id, "--detach"));
    assertThat(restarted.out()).as("waiting for a place, a restart leaves it to start once placed")
        .matches(java.util.regex.Pattern.quote(id) + " (REQUESTED|QUEUED)\n");
    ok(cli.run("env", "stop", id, "--wait"));
    assertThat(ok(cli.run("env", "restart", id, "--detach")).out()).as("a stopped one is started")
        .matches(java.util.regex.Pattern.quote(id) + " (REQUESTED|QUEUED)\n");
    assertThat(cli.run("env", "resize", id, "--cpu", "2").status()).as("waiting for a place").isEqualTo(ExitCodes.REFUSED);
    ok(cli.run("env", "stop", id, "--wait"));
    CliRunner.Result resized = ok(cli.run("env", "resize", id, "--cpu", "2", "--ram", "3GB"));
    assertThat(resized.out()).isEqualTo(id + " STOPPED\n");
    assertThat(resized.err()).contains("apply when it next starts");
    assertThat(JSON.readTree(ok(cli.run("env", "get", id, "-o", "json")).out()).path("resources").path("ram").asText())
        .isEqualTo("3G");
    CliRunner.Result nothing = cli.run("env", "resize", id);
    assertThat(nothing.status()).isEqualTo(ExitCodes.USAGE);
    assertThat(nothing.err()).contains("--cpu, --ram or --gpu");
    CliRunner.Result invalid = cli.run("env", "resize", id, "--ram", "lots");
    assertThat(invalid.status()).isEqualTo(ExitCodes.USAGE);
    assertThat(invalid.err()).contains("resources.ram");
    assertThat(ok(cli.run("env", "rm", id, "--wait")).out()).as("followed until it is gone").isEqualTo(id + " DELETED\n");
  }

  @Test
  void aFollowGivesUpAtItsTimeoutAndTheEnvironmentGoesOn() throws Exception {
    CliRunner cli = signedIn();
    String id = createDetached(cli, "--set", "env-name=patient");
    awaitListed(cli, "patient");
    ok(cli.run("env", "stop", id, "--wait", "--timeout", "1m"));

    CliRunner.Result started = cli.run("env", "start", id, "--timeout", "2s");

    assertThat(started.status()).as(started.toString()).isEqualTo(ExitCodes.ERROR);
    assertThat(started.err()).contains("environment " + id + " is still QUEUED after 2s (--timeout); it goes on");
    assertThat(JSON.readTree(ok(cli.run("env", "get", id, "-o", "json")).out()).path("status").asText())
        .as("a worker would still run it").isEqualTo("QUEUED");
    CliRunner.Result created = cli.run("env", "create", "-f", config.resolve("spec.yaml").toString(),
        "--set", "env-name=patient-too", "--timeout", "1s");
    assertThat(created.status()).as(created.toString()).isEqualTo(ExitCodes.ERROR);
    assertThat(created.err()).contains("after 1s (--timeout)");
    ok(cli.run("env", "rm", id, "--wait"));
    ok(cli.run("env", "rm", "patient-too", "--wait"));
  }

  private static String awaitListed(CliRunner cli, String name) {
    return Awaitility.await().atMost(WAIT).until(() -> {
      JsonNode listed = JSON.readTree(ok(cli.run("env", "ls", "--name", name, "-o", "json")).out()).path("environments");
      return listed.size() == 1 && listed.get(0).path("status").asText().equals("QUEUED")
          ? listed.get(0).path("id").asText() : null;
    }, Objects::nonNull);
  }

  @Test
  void refusesExecAndOpenOfAnEnvironmentThatIsNotRunning() throws Exception {
    CliRunner cli = signedIn();
    String id = createDetached(cli);
    CliRunner.Result exec = cli.run("env", "exec", id, "--", "echo", "hi");
    assertThat(exec.status()).as(exec.toString()).isEqualTo(ExitCodes.REFUSED);
    CliRunner.Result interactive = cli.run("env", "exec", "-t", id, "--", "bash");
    assertThat(interactive.status()).as(interactive.toString()).isEqualTo(ExitCodes.REFUSED);
    assertThat(interactive.err()).contains("environment " + id + " is QUEUED, not RUNNING");
    Path file = Files.writeString(config.resolve("upload.txt"), "data");
    CliRunner.Result copy = cli.run("env", "cp", file.toString(), id + ":/tmp/upload.txt");
    assertThat(copy.status()).as(copy.toString()).isEqualTo(ExitCodes.REFUSED);
    CliRunner.Result open = cli.run("env", "open", id);
    assertThat(open.status()).as(open.toString()).isEqualTo(ExitCodes.REFUSED);
    assertThat(open.err()).contains("has no URL");
    ok(cli.run("env", "rm", id));
  }

  @Test
  void createsFromATemplateWithOverrides() throws Exception {
    CliRunner cli = signedIn();
    String listed = ok(cli.run("templates")).out();
    assertThat(listed).contains("python-ml", "jupyter");
    String jupyter = listed.lines().filter(line -> line.startsWith("jupyter ")).findFirst().orElseThrow();
    assertThat(jupyter).as("a long description clipped in the list").endsWith("…").doesNotContain("signs the owner in");
    assertThat(ok(cli.run("templates", "get", "jupyter")).out()).contains("which signs the owner in with that token.");
    assertThat(JSON.readTree(ok(cli.run("templates", "get", "python-ml", "-o", "json")).out()).path("name").asText())
        .isEqualTo("python-ml");
    String id = ok(cli.run("env", "create", "--template", "python-ml", "--set", "env-name=templated", "--detach")).out().strip();
    assertThat(JSON.readTree(ok(cli.run("env", "get", id, "-o", "json")).out()).path("name").asText()).isEqualTo("templated");
    ok(cli.run("env", "rm", id));
    assertThat(cli.run("templates", "get", "no-such-template").status()).isEqualTo(ExitCodes.NOT_FOUND);
  }

  @Test
  void readsAndReplacesTheCatalogAndListsNodes() throws Exception {
    CliRunner cli = signedIn();
    String yaml = ok(cli.run("catalog", "get", "-o", "yaml")).out();
    Path file = Files.writeString(config.resolve("catalog.yaml"), yaml);
    JsonNode replaced = JSON.readTree(ok(cli.run("catalog", "set", "-f", file.toString(), "-o", "json")).out());
    assertThat(replaced).isEqualTo(new YAMLMapper().readTree(yaml));
    assertThat(ok(cli.run("catalog", "get")).out()).startsWith("OS").contains("debian");

    assertThat(ok(cli.run("nodes", "ls")).out().strip()).as("no worker: only the header").startsWith("ID").doesNotContain("\n");
    assertThat(cli.run("nodes", "cordon", "no-such-node").status()).isEqualTo(ExitCodes.NOT_FOUND);
  }

  @Test
  void managesUsersAndTokensForScripts() throws Exception {
    CliRunner cli = signedIn();
    ok(cli.runWithStdin("a-long-password\n", "users", "create", "grace", "--role", "data-scientist", "--password-stdin"));
    assertThat(ok(cli.run("users", "ls")).out().lines().filter(line -> line.startsWith("grace ")))
        .as("her row: roles, groups, where she signs in").singleElement().asString()
        .contains("data-scientist").contains("built-in");
    ok(cli.run("users", "quota", "grace", "--ram", "4G", "--environments", "2"));
    assertThat(JSON.readTree(ok(cli.run("users", "get", "grace", "-o", "json")).out()).path("quota").path("ram").asText())
        .isEqualTo("4G");
    assertThat(ok(cli.run("users", "get", "grace")).out()).as("what grace uses of her quota, each limit beside it")
        .containsPattern("RESOURCE +USED +QUOTA\n").containsPattern("\nram +0B +4G\n")
        .containsPattern("\nenvironments +0 +2\n");
    // What grace runs is stopped when she is deleted (below).
    CliRunner grace = new CliRunner(config.resolve("grace"));
    ok(grace.runWithStdin("a-long-password\n", "login", "--api", api, "--username", "grace", "--password-stdin"));
    Path spec = Files.writeString(config.resolve("graces-spec.yaml"), SPEC.replace("from-cli", "graces"));
    String graces = ok(grace.run("env", "create", "-f", spec.toString(), "--detach")).out().strip();
    JsonNode changed = JSON.readTree(ok(cli.run("users", "set", "grace", "--disabled", "true", "-o", "json")).out());
    assertThat(changed.path("disabled").asBoolean()).isTrue();
    CliRunner.Result taken = cli.runWithStdin("a-long-password\n", "users", "create", "grace", "--password-stdin");
    assertThat(taken.status()).as(taken.toString()).isEqualTo(ExitCodes.REFUSED);
    assertThat(ok(cli.run("users", "rm", "grace")).err()).isEqualTo("deleted grace; stopped their 1 environment(s): " + graces + "\n");
    // What the deleted grace owned, found by her name; stopped, not deleted: an admin removes it
    // (so the other tests list no more than their own).
    assertThat(ok(cli.run("env", "ls", "--owner", "grace", "-q")).out()).isEqualTo(graces + "\n");
    assertThat(ok(cli.run("env", "ls", "--owner", "no-such-user", "-q")).out()).isEmpty();
    ok(cli.run("env", "rm", graces));
    assertThat(cli.run("users", "get", "grace").status()).isEqualTo(ExitCodes.NOT_FOUND);
    CliRunner.Result deletedName = cli.runWithStdin("a-long-password\n", "users", "create", "grace", "--password-stdin");
    assertThat(deletedName.status()).as(deletedName.toString()).isEqualTo(ExitCodes.REFUSED);
    assertThat(deletedName.err()).contains("was deleted").contains("--inherit-deleted");
    ok(cli.runWithStdin("a-long-password\n", "users", "create", "grace", "--password-stdin", "--inherit-deleted"));

    String token = ok(cli.run("users", "tokens", "create", "--name", "ci")).out().strip();
    CliRunner script = new CliRunner(config.resolve("elsewhere")).with("DCLOUD_API", api).with("DCLOUD_TOKEN", token);
    assertThat(ok(script.run("users", "me")).out()).contains("admin");
    assertThat(ok(cli.run("users", "tokens", "ls")).out()).contains("ci");
  }

  @Test
  void groupsShareAnEnvironmentAndItsDockerfileManifestSecretsAndStatsAreShown() throws Exception {
    CliRunner cli = signedIn();
    ok(cli.runWithStdin("a-long-password\n", "users", "create", "lin", "--role", "data-scientist", "--password-stdin"));
    ok(cli.runWithStdin("a-long-password\n", "users", "create", "kai", "--role", "data-scientist", "--password-stdin"));
    assertThat(ok(cli.run("groups", "create", "lab-cli", "--member", "lin")).out()).contains("NAME", "lab-cli", "lin");
    assertThat(ok(cli.run("groups", "ls")).out()).contains("lab-cli");
    ok(cli.run("groups", "set", "lab-cli", "--member", "lin", "--member", "kai"));
    JsonNode group = JSON.readTree(ok(cli.run("groups", "get", "lab-cli", "-o", "json")).out());
    assertThat(group.path("members").toString()).contains("\"lin\"", "\"kai\"");

    String id = createDetached(cli);
    assertThat(ok(cli.run("env", "share", id)).out().strip()).as("shared with no group yet").isEqualTo("GROUP");
    assertThat(ok(cli.run("env", "share", id, "lab-cli")).out()).contains("lab-cli");
    assertThat(JSON.readTree(ok(cli.run("env", "share", id, "-o", "json")).out()).path("groups").toString())
        .isEqualTo("[\"lab-cli\"]");
    CliRunner.Result unknownGroup = cli.run("env", "share", id, "no-such-group");
    assertThat(unknownGroup.status()).as(unknownGroup.toString()).isEqualTo(ExitCodes.USAGE);
    assertThat(ok(cli.run("env", "share", id, "--none")).out()).doesNotContain("lab-cli");

    assertThat(ok(cli.run("env", "dockerfile", id)).out()).contains("FROM debian", "python3-numpy");
    assertThat(ok(cli.run("env", "manifest", id)).out()).contains("kind: \"Deployment\"");
    assertThat(ok(cli.run("env", "secrets", id)).out().strip()).as("it has no secret-env").isEqualTo("NAME  VALUE");
    CliRunner.Result stats = cli.run("env", "stats", id);
    assertThat(stats.status()).as("no worker runs it: %s", stats).isEqualTo(ExitCodes.REFUSED);
    assertThat(ok(cli.run("env", "stats")).out().strip()).as("nothing runs: the header alone")
        .startsWith("ID").contains("CPU %", "MEM %").doesNotContain(id);

    ok(cli.run("groups", "rm", "lab-cli"));
    assertThat(cli.run("groups", "get", "lab-cli").status()).isEqualTo(ExitCodes.NOT_FOUND);
    CliRunner.Result deletedName = cli.run("groups", "create", "lab-cli", "--member", "lin");
    assertThat(deletedName.status()).as(deletedName.toString()).isEqualTo(ExitCodes.REFUSED);
    assertThat(deletedName.err()).contains("was deleted").contains("--inherit-deleted");
    ok(cli.run("groups", "create", "lab-cli", "--member", "lin", "--inherit-deleted"));
    Awaitility.await().atMost(WAIT).untilAsserted(() -> assertThat(ok(cli.run("audit", "--user", "admin")).out())
        .contains("AT", "ACTION", "group.create", "lab-cli"));
    assertThat(JSON.readTree(ok(cli.run("audit", "--limit", "1", "-o", "json")).out()).path("entries")).hasSize(1);
    assertThat(cli.run("audit", "--since", "yesterday").status()).isEqualTo(ExitCodes.USAGE);
  }

  @Test
  void savesATemplateOfItsOwnAndDeletesIt() throws Exception {
    CliRunner cli = signedIn();
    Path spec = Files.writeString(config.resolve("template.yaml"), SPEC);
    assertThat(ok(cli.run("templates", "save", "cli-saved", "-f", spec.toString(), "--description", "from the CLI")).out())
        .contains("cli-saved", "from the CLI");
    assertThat(JSON.readTree(ok(cli.run("templates", "get", "cli-saved", "-o", "json")).out()).path("spec")
        .path("env-name").asText()).isEqualTo("from-cli");
    ok(cli.run("templates", "rm", "cli-saved"));
    assertThat(cli.run("templates", "get", "cli-saved").status()).isEqualTo(ExitCodes.NOT_FOUND);
  }
}
