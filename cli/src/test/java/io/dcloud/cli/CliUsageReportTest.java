package io.dcloud.cli;

import static io.dcloud.cli.CliLogins.ok;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dcloud.cli.common.ExitCodes;
import io.dcloud.gateway.GatewayTestCluster;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.List;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code dcloud usage} against a real gateway (GatewayTestCluster: no worker, so what ran is seeded
 * into its journal, in a past month whose figures are fixed: October 2026).
 */
class CliUsageReportTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final long MIB = 1024 * 1024;
  private static final String OCTOBER = "2026-10";
  private static final String OCTOBER_PERIOD = "2026-10, 2026-10-01 00:00 to 2026-11-01 00:00 UTC";

  @TempDir
  static Path homes;

  private static GatewayTestCluster cluster;
  private static CliRunner admin;
  private static CliRunner ada;
  private static CliRunner bob;
  private static String train;
  private static String notebook;

  @BeforeAll
  static void start() throws Exception {
    cluster = new GatewayTestCluster("cli-usage-report-test");
    CliLogins logins = new CliLogins(cluster, homes);
    admin = logins.admin();
    ada = logins.user("ada", "data-scientist");
    bob = logins.user("bob", "data-scientist");
    // ada: 2 h at 2 cores and 512M (4 CPU-hours, 1 GiB-hour), then 1 h at 1 core and 1G; bob: 4 h at half a core and 2G.
    train = cluster.seedUsage("ada", "train", at("2026-10-03T08:00:00Z"), at("2026-10-03T10:00:00Z"), 2000, 512 * MIB);
    notebook = cluster.seedUsage("ada", "nb", at("2026-10-20T12:00:00Z"), at("2026-10-20T13:00:00Z"), 1000, 1024 * MIB);
    cluster.seedUsage("bob", "bob-nb", at("2026-10-11T00:00:00Z"), at("2026-10-11T04:00:00Z"), 500, 2048 * MIB);
    // The directory is told of them, not asked: the reports have them once it has taken all three in.
    Awaitility.await("the seeded environments in the report").atMost(Duration.ofSeconds(30)).untilAsserted(() ->
        assertThat(JSON.readTree(ok(admin.run("usage", "owners", "--month", OCTOBER, "-o", "json")).out())
            .path("total").path("environments").asInt()).isEqualTo(3));
  }

  @AfterAll
  static void stop() {
    cluster.close();
  }

  private static Instant at(String instant) {
    return Instant.parse(instant);
  }

  @Test
  void aMonthWithoutUsageSaysSoInOneLine() {
    assertThat(ok(ada.run("usage", "--month", "2026-09")).out())
        .isEqualTo("No usage of ada in 2026-09, 2026-09-01 00:00 to 2026-10-01 00:00 UTC.\n");
    // The noun alone: the current month, until now (the month read before and after, should it turn meanwhile).
    YearMonth before = YearMonth.now(ZoneOffset.UTC);
    String current = ok(bob.run("usage")).out();
    YearMonth after = YearMonth.now(ZoneOffset.UTC);
    assertThat(current).matches("No usage of bob in (" + before + "|" + after + "), "
        + "\\d{4}-\\d\\d-01 00:00 to \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d UTC\\.\\n");
    assertThat(ok(admin.run("usage", "owners", "--month", "2026-09")).out())
        .isEqualTo("No usage in 2026-09, 2026-09-01 00:00 to 2026-10-01 00:00 UTC.\n");
  }

  @Test
  void aMonthsReportListsEachEnvironmentMostCpuFirstAndTheTotal() throws Exception {
    List<String> lines = ok(ada.run("usage", "--month", OCTOBER)).out().lines().toList();
    assertThat(lines).hasSize(5);
    assertThat(lines.get(0)).isEqualTo("Usage of ada in " + OCTOBER_PERIOD);
    assertThat(lines.get(1)).matches("ID +NAME +STATUS +HOURS +CPU-HOURS +MEM-GIB-HOURS +GPU-HOURS");
    assertThat(lines.get(2)).as("the short id").matches(train.substring(0, 8) + " +train +STOPPED +2\\.00 +4\\.00 +1\\.00 +0\\.00");
    assertThat(lines.get(3)).matches(notebook.substring(0, 8) + " +nb +STOPPED +1\\.00 +1\\.00 +1\\.00 +0\\.00");
    assertThat(lines.get(4)).matches("TOTAL +- +- +3\\.00 +5\\.00 +2\\.00 +0\\.00");

    // -o json and yaml: the answer as the API gave it.
    JsonNode report = JSON.readTree(ok(ada.run("usage", "get", "--month", OCTOBER, "-o", "json")).out());
    assertThat(report.path("owner").asText()).isEqualTo("ada");
    assertThat(report.path("total").path("memoryGibHours").asDouble()).isEqualTo(2.0);
    assertThat(report.path("environments").findValuesAsText("id")).containsExactly(train, notebook);
    assertThat(ok(ada.run("usage", "--month", OCTOBER, "-o", "yaml")).out())
        .contains("owner: ada").containsPattern("month: \"?2026-10\"?\n");

    // An admin reads ada's month as she does.
    assertThat(ok(admin.run("usage", "show", "--owner", "ada", "--month", OCTOBER)).out().lines().toList())
        .isEqualTo(lines);
  }

  @Test
  void anotherUsersReportIsRefusedToANonAdminWithTheProblemsMessage() {
    CliRunner.Result refused = ada.run("usage", "--owner", "bob", "--month", OCTOBER);
    assertThat(refused.status()).as(refused.toString()).isEqualTo(ExitCodes.REFUSED);
    assertThat(refused.err()).as(refused.toString()).startsWith("dcloud: ")
        .contains("ada may see their own usage only; another user's needs the role admin");
    assertThat(refused.out()).isEmpty();

    CliRunner.Result owners = ada.run("usage", "owners", "--month", OCTOBER);
    assertThat(owners.status()).as("every owner's is an admin's: %s", owners).isEqualTo(ExitCodes.REFUSED);
    assertThat(owners.out()).isEmpty();
  }

  @Test
  void anAdminListsEachOwnersSumsMostCpuFirstAndTheTotal() throws Exception {
    List<String> lines = ok(admin.run("usage", "owners", "--month", OCTOBER)).out().lines().toList();
    assertThat(lines).hasSize(5);
    assertThat(lines.get(0)).isEqualTo("Usage by owner in " + OCTOBER_PERIOD);
    assertThat(lines.get(1)).matches("OWNER +ENVIRONMENTS +HOURS +CPU-HOURS +MEM-GIB-HOURS +GPU-HOURS");
    assertThat(lines.get(2)).matches("ada +2 +3\\.00 +5\\.00 +2\\.00 +0\\.00");
    assertThat(lines.get(3)).matches("bob +1 +4\\.00 +2\\.00 +8\\.00 +0\\.00");
    assertThat(lines.get(4)).matches("TOTAL +3 +7\\.00 +7\\.00 +10\\.00 +0\\.00");

    JsonNode report = JSON.readTree(ok(admin.run("usage", "owners", "--month", OCTOBER, "-o", "json")).out());
    assertThat(report.path("owners").findValuesAsText("owner")).containsExactly("ada", "bob");
  }

  @Test
  void aMalformedOrFutureMonthIsAUsageErrorNamingTheField() {
    for (String month : List.of("2026-13", "october", "2026-1")) {
      CliRunner.Result malformed = ada.run("usage", "--month", month);
      assertThat(malformed.status()).as("%s: %s", month, malformed).isEqualTo(ExitCodes.USAGE);
      assertThat(malformed.err()).as(malformed.toString()).startsWith("dcloud: ")
          .contains("month: must be a month as YYYY-MM");
      assertThat(malformed.out()).isEmpty();
    }
    CliRunner.Result owners = admin.run("usage", "owners", "--month", "2026/10");
    assertThat(owners.status()).as(owners.toString()).isEqualTo(ExitCodes.USAGE);
    assertThat(owners.err()).as(owners.toString()).contains("month: must be a month as YYYY-MM");
    CliRunner.Result future = ada.run("usage", "--month", "2999-01");
    assertThat(future.status()).as(future.toString()).isEqualTo(ExitCodes.USAGE);
    assertThat(future.err()).as(future.toString()).contains("month: 2999-01 is after this month");
  }
}
