package io.dcloud.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.dcloud.gateway.GatewayTestCluster;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The CLI signed in on a real gateway the way a user does it: {@code dcloud login}, each user with
 * a config folder of their own; other users made by the admin with {@code dcloud users create}.
 */
final class CliLogins {
  private final GatewayTestCluster cluster;
  private final Path homes;
  private final CliRunner admin;

  /** Signs the admin in; every user's config folder goes under {@code homes}. */
  CliLogins(GatewayTestCluster cluster, Path homes) {
    this.cluster = cluster;
    this.homes = homes;
    this.admin = login("admin", GatewayTestCluster.ADMIN_PASSWORD);
  }

  CliRunner admin() {
    return admin;
  }

  /** Makes {@code name} with {@code role} (as the admin) and signs them in. */
  CliRunner user(String name, String role) {
    String password = "password-of-" + name;
    ok(admin.runWithStdin(password + "\n", "users", "create", name, "--role", role, "--password-stdin"));
    return login(name, password);
  }

  private CliRunner login(String name, String password) {
    try {
      CliRunner cli = new CliRunner(Files.createDirectories(homes.resolve(name)));
      ok(cli.runWithStdin(password + "\n", "login", "--api", cluster.base.toString(), "--username", name,
          "--password-stdin"));
      return cli;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static CliRunner.Result ok(CliRunner.Result result) {
    assertThat(result.status()).as(result.toString()).isZero();
    return result;
  }
}
