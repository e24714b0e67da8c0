package io.dcloud.gateway.usage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.dcloud.gateway.Api;
import io.dcloud.gateway.GatewayTestCluster;
import java.time.Duration;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneOffset;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Monthly usage through the API: environments that ran (written to the in-memory journal as their
 * entities would have, no worker runs here), each owner's report of them, every owner's totals for
 * admins, and the refusals. Archived usage (collected environments) is tested in cluster-core and
 * end to end in the app's HousekeepingIT.
 */
class UsageApiTest {
  private static final Duration WAIT = Duration.ofSeconds(10);
  private static final long MIB = 1L << 20;
  private static GatewayTestCluster cluster;
  private static Api admin;
  private static Api uma;
  private static String trainer;
  private static String notebook;

  @BeforeAll
  static void start() throws Exception {
    cluster = new GatewayTestCluster("usage-api-test");
    admin = Api.admin(cluster.base);
    uma = admin.newUser("uma", "data-scientist");
    admin.createUser("vic", "data-scientist");
    // Two hours in October at 2 CPUs and 512 MiB; and two hours across the end of October at 1 CPU and 1 GiB.
    trainer = cluster.seedUsage("uma", "trainer", Instant.parse("2026-10-10T10:00:00Z"),
        Instant.parse("2026-10-10T12:00:00Z"), 2000, 512 * MIB);
    notebook = cluster.seedUsage("uma", "notebook", Instant.parse("2026-10-31T23:00:00Z"),
        Instant.parse("2026-11-01T01:00:00Z"), 1000, 1024 * MIB);
    cluster.seedUsage("vic", "sweep", Instant.parse("2026-10-05T00:00:00Z"),
        Instant.parse("2026-10-05T00:30:00Z"), 4000, 2048 * MIB);
    await().atMost(WAIT).untilAsserted(() ->
        assertThat(uma.get("/api/v1/usage?month=2026-11").json().path("environments")).hasSize(1));
  }

  @AfterAll
  static void stop() {
    cluster.close();
  }

  @Test
  void anOwnersMonthListsEachEnvironmentThatRanWithItsHoursMostCpuFirst() {
    Api.Answer october = uma.get("/api/v1/usage?month=2026-10");

    assertThat(october.status()).as(october.body()).isEqualTo(200);
    JsonNode report = october.json();
    assertThat(report.path("owner").asText()).isEqualTo("uma");
    assertThat(report.path("month").asText()).isEqualTo("2026-10");
    assertThat(report.path("from").asText()).isEqualTo("2026-10-01T00:00:00Z");
    assertThat(report.path("to").asText()).isEqualTo("2026-11-01T00:00:00Z");
    assertThat(report.path("environments")).hasSize(2);
    JsonNode first = report.path("environments").get(0);
    assertThat(first.path("id").asText()).isEqualTo(trainer);
    assertThat(first.path("name").asText()).isEqualTo("trainer");
    assertThat(first.path("status").asText()).isEqualTo("STOPPED");
    assertThat(first.path("runningHours").asDouble()).isEqualTo(2.0);
    assertThat(first.path("cpuHours").asDouble()).isEqualTo(4.0);
    assertThat(first.path("memoryGibHours").asDouble()).isEqualTo(1.0);
    assertThat(first.path("gpuHours").asDouble()).isZero();
    JsonNode second = report.path("environments").get(1);
    assertThat(second.path("id").asText()).isEqualTo(notebook);
    assertThat(second.path("runningHours").asDouble()).as("its hour in October").isEqualTo(1.0);
    assertThat(second.path("cpuHours").asDouble()).isEqualTo(1.0);
    JsonNode total = report.path("total");
    assertThat(total.path("environments").asInt()).isEqualTo(2);
    assertThat(total.path("runningHours").asDouble()).isEqualTo(3.0);
    assertThat(total.path("cpuHours").asDouble()).isEqualTo(5.0);
    assertThat(total.path("memoryGibHours").asDouble()).isEqualTo(2.0);

    JsonNode november = uma.get("/api/v1/usage?month=2026-11").json();
    assertThat(november.path("environments")).singleElement().satisfies(environment -> {
      assertThat(environment.path("id").asText()).isEqualTo(notebook);
      assertThat(environment.path("runningHours").asDouble()).as("its hour in November").isEqualTo(1.0);
    });
    JsonNode september = uma.get("/api/v1/usage?month=2026-09").json();
    assertThat(september.path("environments")).isEmpty();
    assertThat(september.path("total").path("cpuHours").asDouble()).isZero();
  }

  @Test
  void withoutAMonthTheReportIsOfTheMonthUnderWayUntilNow() {
    Instant before = Instant.now();
    JsonNode report = uma.get("/api/v1/usage").json();

    assertThat(report.path("month").asText()).isEqualTo(YearMonth.now(ZoneOffset.UTC).toString());
    assertThat(Instant.parse(report.path("to").asText())).isAfterOrEqualTo(before).isBeforeOrEqualTo(Instant.now());
  }

  @Test
  void anotherUsersUsageIsAnAdminsToSee() {
    Api.Answer refused = uma.get("/api/v1/usage?owner=vic&month=2026-10");
    assertThat(refused.problem(403).path("detail").asText()).contains("their own usage only");

    JsonNode vics = admin.get("/api/v1/usage?owner=vic&month=2026-10").json();
    assertThat(vics.path("owner").asText()).isEqualTo("vic");
    assertThat(vics.path("total").path("cpuHours").asDouble()).isEqualTo(2.0);
    assertThat(admin.get("/api/v1/usage?owner=nobody-here&month=2026-10").json().path("environments"))
        .as("an owner never seen (or deleted long ago) has an empty report").isEmpty();
  }

  @Test
  void adminsSeeEveryOwnersTotalsOfAMonth() {
    Api.Answer owners = admin.get("/api/v1/usage/owners?month=2026-10");

    assertThat(owners.status()).as(owners.body()).isEqualTo(200);
    JsonNode report = owners.json();
    assertThat(report.path("month").asText()).isEqualTo("2026-10");
    assertThat(report.path("owners")).hasSize(2);
    assertThat(report.path("owners").get(0).path("owner").asText()).isEqualTo("uma");
    assertThat(report.path("owners").get(0).path("environments").asInt()).isEqualTo(2);
    assertThat(report.path("owners").get(0).path("cpuHours").asDouble()).isEqualTo(5.0);
    assertThat(report.path("owners").get(1).path("owner").asText()).isEqualTo("vic");
    assertThat(report.path("total").path("environments").asInt()).isEqualTo(3);
    assertThat(report.path("total").path("cpuHours").asDouble()).isEqualTo(7.0);
    assertThat(report.path("total").path("memoryGibHours").asDouble()).isEqualTo(3.0);

    assertThat(uma.get("/api/v1/usage/owners").problem(403).path("detail").asText()).contains("the role admin");
  }

  @Test
  void aMonthThatIsNoMonthOrHasNotBegunOrAnOwnerThatIsNoNameIsRefusedNamingTheField() {
    Api.Answer malformed = uma.get("/api/v1/usage?month=2026-13");
    malformed.problem(400);
    assertThat(malformed.reasonFor("month")).startsWith("must be a month as YYYY-MM");

    Api.Answer future = uma.get("/api/v1/usage?month=" + YearMonth.now(ZoneOffset.UTC).plusMonths(1));
    future.problem(400);
    assertThat(future.reasonFor("month")).contains("is after this month");
    assertThat(admin.get("/api/v1/usage/owners?month=soon").problem(400)).isNotNull();

    Api.Answer noName = admin.get("/api/v1/usage?owner=a%7Cb");
    noName.problem(400);
    assertThat(noName.reasonFor("owner")).startsWith("must be a user name");
  }
}
