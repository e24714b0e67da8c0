package io.dcloud.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.dcloud.cli.common.ExitCodes;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the CLI says before it talks to any gateway: usage errors (2), no gateway, no token. */
class CliUsageTest {
  @TempDir
  Path config;

  private CliRunner cli() {
    return new CliRunner(config);
  }

  @Test
  void withoutAnyGatewayItSaysHowToChooseOne() {
    CliRunner.Result result = cli().run("env", "ls");
    assertThat(result.status()).as(result.toString()).isEqualTo(ExitCodes.USAGE);
    assertThat(result.err()).contains("which gateway? give --api URL, set DCLOUD_API");
  }

  @Test
  void withAGatewayButNoTokenItIsUnauthenticated() {
    CliRunner.Result flag = cli().run("env", "ls", "--api", "http://127.0.0.1:9");
    assertThat(flag.status()).as(flag.toString()).isEqualTo(ExitCodes.UNAUTHENTICATED);
    assertThat(flag.err()).contains("not signed in to http://127.0.0.1:9");

    CliRunner.Result variable = cli().with("DCLOUD_API", "http://127.0.0.1:9/api/v1/").run("templates");
    assertThat(variable.status()).isEqualTo(ExitCodes.UNAUTHENTICATED);
    assertThat(variable.err()).as("the API prefix and slash are dropped").contains("not signed in to http://127.0.0.1:9:");
  }

  @Test
  void theStoredTokenGoesOnlyToTheGatewayThatIssuedIt() {
    ConfigStore.fromEnvironment(java.util.Map.of("XDG_CONFIG_HOME", config.toString()))
        .write(new StoredLogin("http://127.0.0.1:9", "ada", "stored-token"));
    CliRunner.Result other = cli().run("env", "ls", "--api", "http://127.0.0.1:10");
    assertThat(other.status()).as(other.toString()).isEqualTo(ExitCodes.UNAUTHENTICATED);
    CliRunner.Result same = cli().run("env", "ls", "--api", "http://127.0.0.1:9/");
    assertThat(same.status()).as("signed in there: it tries, and finds nobody").isEqualTo(ExitCodes.UNREACHABLE);
  }

  @Test
  void aGatewayThatDoesNotAnswerIsUnreachable() {
    CliRunner.Result result = cli().with("DCLOUD_TOKEN", "t").run("--api", "http://127.0.0.1:9", "nodes", "ls");
    assertThat(result.status()).as(result.toString()).isEqualTo(ExitCodes.UNREACHABLE);
    assertThat(result.err()).startsWith("dcloud: cannot reach the gateway at http://127.0.0.1:9");
  }

  @Test
  void healthOfAGatewayThatDoesNotAnswerIsUnreachableAfterItsWait() {
    CliRunner.Result once = cli().run("--api", "http://127.0.0.1:9", "health");
    assertThat(once.status()).as(once.toString()).isEqualTo(ExitCodes.UNREACHABLE);
    assertThat(once.err()).startsWith("dcloud: cannot reach the gateway at http://127.0.0.1:9");

    CliRunner.Result waited = cli().run("--api", "http://127.0.0.1:9", "health", "--wait", "1");
    assertThat(waited.status()).as(waited.toString()).isEqualTo(ExitCodes.UNREACHABLE);
  }

  /** Every {@code get} answers to {@code show} too, as the commands' descriptions say it: the call is made. */
  @Test
  void showIsGet() {
    CliRunner cli = cli().with("DCLOUD_TOKEN", "t").with("DCLOUD_API", "http://127.0.0.1:9");
    for (String[] args : new String[][] {
        {"templates", "show", "python-ml"}, {"catalog", "show"}, {"users", "show", "ada"}, {"groups", "show", "lab"},
        {"models", "show", "iris"}, {"jobs", "show", "123e4567-e89b-12d3-a456-426614174000"}, {"apps", "show", "hello"}, {"env", "show", "123e4567-e89b-12d3-a456-426614174000"},
        {"services", "show", "web"}, {"devices", "show", "d1"}, {"sensor-types", "show", "thermometer"}}) {
      CliRunner.Result result = cli.run(args);
      assertThat(result.status()).as("%s: %s", String.join(" ", args), result).isEqualTo(ExitCodes.UNREACHABLE);
    }
  }

  /** A noun alone lists (the catalog: shows it), as {@code dcloud services} does: the call is made. */
  @Test
  void aNounAloneLists() {
    CliRunner cli = cli().with("DCLOUD_TOKEN", "t").with("DCLOUD_API", "http://127.0.0.1:9");
    for (String noun : List.of("env", "nodes", "volumes", "users", "groups", "data", "models", "apps", "catalog",
        "templates", "services", "jobs", "devices", "sensor-types", "usage")) {
      CliRunner.Result result = cli.run(noun);
      assertThat(result.status()).as("%s: %s", noun, result).isEqualTo(ExitCodes.UNREACHABLE);
    }
  }

  /**
   * A noun alone takes its default verb's options ({@code dcloud data -o json}); what neither knows
   * stays a usage error, of the verb's own too.
   */
  @Test
  void aNounAlonePassesItsOptionsToItsDefaultVerb() {
    CliRunner cli = cli().with("DCLOUD_TOKEN", "t").with("DCLOUD_API", "http://127.0.0.1:9");
    for (String noun : List.of("env", "nodes", "volumes", "users", "groups", "data", "models", "apps", "catalog",
        "templates", "services", "jobs", "devices", "sensor-types", "usage")) {
      CliRunner.Result json = cli.run(noun, "-o", "json");
      assertThat(json.status()).as("%s -o json: %s", noun, json).isEqualTo(ExitCodes.UNREACHABLE);
      assertUsage(cli.run(noun, "-o", "xml"), "Invalid value for option '--output'");
    }
    assertUsage(cli.run("data", "-o", "xml"), "Usage: dcloud data ls");
    assertUsage(cli.run("nodes", "--bogus"), "Unknown option: '--bogus'");
    assertUsage(cli.run("nodes", "ls", "--bogus"), "Unknown option: '--bogus'");
    assertUsage(cli.run("data", "frob"), "Unmatched argument at index 1: 'frob'");
    assertThat(cli.run("devices", "--type", "thermometer").status()).as("a filter of devices ls").isEqualTo(ExitCodes.UNREACHABLE);
  }

  @Test
  void wrongArgumentsAreUsageErrors() throws Exception {
    CliRunner cli = cli().with("DCLOUD_TOKEN", "t").with("DCLOUD_API", "http://127.0.0.1:9");
    assertUsage(cli.run("env", "create"), "Missing required argument");
    assertUsage(cli.run("env", "create", "-f", "a.yaml", "--template", "crud"), "mutually exclusive");
    assertUsage(cli.run("env", "create", "-f", config.resolve("missing.yaml").toString()), "no such file");
    assertUsage(cli.run("env", "exec", "some-id"), "COMMAND");
    assertUsage(cli.run("env", "cp", "a", "b"), "one side must be ID:PATH");
    assertUsage(cli.run("env", "cp", "a", "123e4567-e89b-12d3-a456-426614174000:relative"), "must be absolute");
    assertUsage(cli.run("env", "ls", "-o", "xml"), "Invalid value for option '--output'");
    assertUsage(cli.run("env", "logs"), "Missing required parameter");
    assertUsage(cli.run("frobnicate"), "Unmatched argument");
    assertUsage(cli.run("--api", "ftp://x", "env", "ls"), "must be an http:// or https:// URL");
    assertUsage(cli.run("login", "--api", "http://127.0.0.1:9", "-u", "ada"), "pipe it in with --password-stdin");
    String file = config.resolve("houses.csv").toString();
    java.nio.file.Files.writeString(config.resolve("houses.csv"), "area,price\n");
    assertUsage(cli.run("data", "put", "tables/demo/houses", file),
        "the file or folder comes first, then the dataset: dcloud data put " + file + " tables/demo/houses");
  }

  private static void assertUsage(CliRunner.Result result, String message) {
    assertThat(result.status()).as(result.toString()).isEqualTo(ExitCodes.USAGE);
    assertThat(result.err()).as(result.toString()).contains(message);
  }

  @Test
  void helpListsTheCommandsAndTheExitStatuses() {
    CliRunner.Result help = cli().run("--help");
    assertThat(help.status()).isZero();
    assertThat(help.out()).contains("env", "templates", "catalog", "nodes", "users", "watch", "login", "logout",
        "3 not found", "5 unauthenticated");
  }
}
