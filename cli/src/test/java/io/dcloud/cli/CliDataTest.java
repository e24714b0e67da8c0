package io.dcloud.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.dcloud.cli.common.ExitCodes;
import io.dcloud.cli.data.DataCommand;
import io.dcloud.gateway.GatewayTestCluster;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code dcloud data ...} against a real gateway (GatewayTestCluster: in-memory journal and blobs). */
class CliDataTest {
  private static GatewayTestCluster cluster;

  @TempDir
  Path config;

  @BeforeAll
  static void start() throws Exception {
    cluster = new GatewayTestCluster("cli-data-test");
  }

  @AfterAll
  static void stop() {
    cluster.close();
  }

  private CliRunner signedIn() {
    CliRunner cli = new CliRunner(config);
    CliRunner.Result login = cli.runWithStdin(GatewayTestCluster.ADMIN_PASSWORD + "\n",
        "login", "--api", cluster.base.toString(), "--username", "admin", "--password-stdin");
    assertThat(login.status()).as(login.toString()).isZero();
    return cli;
  }

  private static CliRunner.Result ok(CliRunner.Result result) {
    assertThat(result.status()).as(result.toString()).isZero();
    return result;
  }

  @Test
  void putsListsGetsAndRemovesVersionsOfFilesAndFolders() throws Exception {
    CliRunner cli = signedIn();
    Path file = Files.writeString(config.resolve("notes.csv"), "a,b\n1,2\n");
    Path folder = Files.createDirectories(config.resolve("images"));
    Files.writeString(folder.resolve("cat.txt"), "meow");

    assertThat(ok(cli.run("data", "put", file.toString(), "lab/db/notes")).out()).isEqualTo("lab/db/notes version 1\n");
    Files.writeString(file, "a,b\n3,4\n");
    assertThat(ok(cli.run("data", "put", file.toString(), "lab/db/notes")).out()).isEqualTo("lab/db/notes version 2\n");
    assertThat(ok(cli.run("data", "put", folder.toString(), "lab/db/images")).out()).contains("version 1");

    String listed = ok(cli.run("data", "ls", "lab/")).out();
    assertThat(listed).contains("DATASET").contains("lab/db/images").containsPattern("lab/db/notes\\s+admin\\s+2\\s+8\\s+2");
    assertThat(ok(cli.run("data", "versions", "lab/db/notes")).out().lines()).hasSize(3);
    assertThat(ok(cli.run("data", "-o", "json")).out()).as("the noun alone lists, as JSON")
        .contains("\"dataset\" : \"lab/db/notes\"");
    assertThat(ok(cli.run("data", "versions", "lab/db/notes", "-o", "yaml")).out()).contains("- version: 1", "- version: 2");
    assertThat(ok(cli.run("data", "get", "lab/db/notes")).out()).isEqualTo("a,b\n3,4\n");
    assertThat(ok(cli.run("data", "get", "lab/db/notes", "--version", "1")).out()).isEqualTo("a,b\n1,2\n");
    Path copy = config.resolve("copy.csv");
    ok(cli.run("data", "get", "lab/db/notes", copy.toString()));
    assertThat(Files.readString(copy)).isEqualTo("a,b\n3,4\n");

    assertThat(ok(cli.run("data", "rm", "lab/db/notes", "--version", "1")).out()).contains("deleted [1], left [2]");
    CliRunner.Result gone = cli.run("data", "get", "lab/db/notes", "--version", "1");
    assertThat(gone.status()).isEqualTo(ExitCodes.NOT_FOUND);
    ok(cli.run("data", "rm", "lab/db/notes"));
    assertThat(ok(cli.run("data", "ls", "lab/")).out()).doesNotContain("notes");
    assertThat(cli.run("data", "get", "not-a-dataset").status()).isEqualTo(ExitCodes.USAGE);
  }

  @Test
  void putAndGetWithProgressEndOnAFullBarOnStderrAndWithoutItShowNone() throws Exception {
    CliRunner cli = signedIn();
    byte[] bytes = new byte[3 * 1024 * 1024];
    java.util.Arrays.fill(bytes, (byte) 'x');
    Path file = Files.write(config.resolve("big.bin"), bytes);
    String fullBar = "\\[#{24}\\] 100%  3\\.0 MiB / 3\\.0 MiB  [0-9.]+ (B|KiB|MiB|GiB)/s";

    CliRunner.Result put = ok(cli.run("data", "put", "--progress", file.toString(), "bars/db/big"));
    assertThat(lastProgressLine(put.err())).matches(fullBar);
    assertThat(put.out()).isEqualTo("bars/db/big version 1\n");

    Path copy = config.resolve("copy.bin");
    CliRunner.Result get = ok(cli.run("data", "get", "--progress", "bars/db/big", copy.toString()));
    assertThat(lastProgressLine(get.err())).matches(fullBar);
    assertThat(Files.readAllBytes(copy)).isEqualTo(bytes);

    assertThat(ok(cli.run("data", "get", "bars/db/big", copy.toString())).err()).doesNotContain("%").doesNotContain("\r");
  }

  /** The bar as it stood last: the last piece redrawn with a carriage return before a newline. */
  private static String lastProgressLine(String err) {
    String bar = err.substring(0, err.lastIndexOf("\r") + err.substring(err.lastIndexOf("\r")).indexOf('\n'));
    return bar.substring(bar.lastIndexOf('\r') + 1);
  }

  @Test
  void aTarOrGzippedTarIsSentAsADirectoryAndAnythingElseAsOneFile() {
    assertThat(DataCommand.Put.contentType("images.tar")).isEqualTo("application/x-tar");
    assertThat(DataCommand.Put.contentType("images.tar.gz")).isEqualTo("application/x-gtar");
    assertThat(DataCommand.Put.contentType("images.tgz")).isEqualTo("application/x-gtar");
    assertThat(DataCommand.Put.contentType("notes.csv.gz")).as("one compressed file, kept as it is").isEqualTo("application/gzip");
    assertThat(DataCommand.Put.contentType("houses.CSV")).isEqualTo("text/csv");
    assertThat(DataCommand.Put.contentType("inputs.jsonl")).isEqualTo("application/x-ndjson");
    assertThat(DataCommand.Put.contentType("weights.npy")).isEqualTo("application/octet-stream");
    assertThat(DataCommand.Put.contentType("README")).isEqualTo("application/octet-stream");
  }
}
