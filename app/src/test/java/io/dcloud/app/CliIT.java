package io.dcloud.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dcloud.cli.Cli;
import io.dcloud.cli.CliIo;
import io.dcloud.cli.ExitCodes;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The command line against DCloud as DCloudIT runs it (embedded Cassandra, real Docker, one node):
 * an environment made, followed to RUNNING, run in, read and removed with {@code dcloud env ...}.
 */
@Tag("docker") @Tag("cassandra")
class CliIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration UP_WITHIN = Duration.ofSeconds(90);

  @TempDir
  Path config;

  @BeforeAll
  static void startDCloud() throws Exception {
    DCloudIT.startDCloud();
  }

  @AfterAll
  static void stopDCloud() {
    DCloudIT.stopDCloud();
  }

  record Result(int status, String out, String err) {}

  private Result cli(String stdin, String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    CliIo io = new CliIo(new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)),
        new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8),
        Map.of("XDG_CONFIG_HOME", config.toString()), false);
    int status = Cli.run(io, args);
    return new Result(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  private Result ok(String... args) {
    Result result = cli("", args);
    assertThat(result.status()).as("%s", result).isZero();
    return result;
  }

  @Test
  void createsFollowsExecsReadsLogsAndRemovesAnEnvironment() throws Exception {
    String api = DCloudIT.api.uri("").toString();
    Result login = cli(DCloudIT.ADMIN_PASSWORD + "\n", "login", "--api", api, "-u", "admin", "--password-stdin");
    assertThat(login.status()).as("%s", login).isZero();
    Path spec = Files.writeString(config.resolve("spec.json"), DCloudIT.tinySpec("from-cli", ""));

    Result created = ok("env", "create", "-f", spec.toString());
    String id = created.out().strip();
    assertThat(created.err()).as("the progress line").contains("RUNNING");
    JsonNode running = JSON.readTree(ok("env", "get", id, "-o", "json").out());
    assertThat(running.path("status").asText()).isEqualTo("RUNNING");
    assertThat(running.path("name").asText()).isEqualTo("from-cli");

    assertThat(ok("env", "exec", id, "--", "echo", "hi").out()).isEqualTo("hi\n");
    Result failing = cli("", "env", "exec", id, "--", "sh", "-c", "echo oops >&2; exit 3");
    assertThat(failing.status()).as("the command's own exit status").isEqualTo(3);
    assertThat(failing.err()).isEqualTo("oops\n");
    assertThat(cli("shout", "env", "exec", id, "-i", "--", "tr", "a-z", "A-Z").out()).isEqualTo("SHOUT");

    assertThat(ok("env", "logs", id, "--tail", "10").out()).contains("hello-from-dcloud");

    assertThat(ok("env", "rm", id).out()).startsWith(id);
    await().atMost(UP_WITHIN).untilAsserted(() ->
        assertThat(JSON.readTree(ok("env", "get", id, "-o", "json").out()).path("status").asText()).isEqualTo("DELETED"));
    Result gone = cli("", "env", "exec", id, "--", "echo", "hi");
    assertThat(gone.status()).as("%s", gone).isEqualTo(ExitCodes.REFUSED);
  }
}
