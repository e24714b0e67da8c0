package io.dcloud.persistence;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Level;
import com.datastax.oss.driver.api.core.AllNodesFailedException;
import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.auth.AuthenticationException;
import com.datastax.oss.driver.api.core.config.DefaultDriverOption;
import com.datastax.oss.driver.api.core.config.DriverConfigLoader;
import io.dcloud.testing.LogCapture;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Who may reach the embedded Cassandra: only DCloud's role logs in, and only from this machine. */
@Tag("cassandra")
class EmbeddedCassandraSecurityTest {

  @TempDir static Path dataDir;

  private static EmbeddedCassandra cassandra;
  /** What the driver logged at WARN or above while the fresh data dir was set up. */
  private static final List<String> driverWarningsAtFirstStart = new ArrayList<>();

  @BeforeAll
  static void startCassandra() {
    try (LogCapture driver = LogCapture.of("com.datastax.oss.driver")) {
      cassandra = EmbeddedCassandra.start(CassandraTestSupport.settings(dataDir));
      driverWarningsAtFirstStart.addAll(driver.messages(Level.WARN));
    }
  }

  @AfterAll
  static void stopCassandra() {
    if (cassandra != null) {
      cassandra.close();
    }
  }

  @Test
  void onlyTheConfiguredRoleLogsIn() {
    assertRefused(() -> CqlSession.builder()
        .addContactPoint(cassandra.cqlAddress())
        .withLocalDatacenter("datacenter1")
        .withConfigLoader(DriverConfigLoader.programmaticBuilder()
            .withStringList(DefaultDriverOption.CONTACT_POINTS, List.of())
            .withBoolean(DefaultDriverOption.RECONNECT_ON_INIT, false)
            .build())
        .build());
    assertRefused(() -> CassandraRoles.login(cassandra.cqlAddress(), "dcloud", "not-the-password"));
    assertRefused(() -> CassandraRoles.login(cassandra.cqlAddress(), "cassandra", "cassandra"));

    try (CqlSession session = CassandraTestSupport.session(cassandra)) {
      assertThat(session.execute("SELECT role, is_superuser, can_login FROM system_auth.roles").all())
          .extracting(row -> row.getString("role") + " superuser=" + row.getBoolean("is_superuser") + " login=" + row.getBoolean("can_login"))
          .containsExactly("dcloud superuser=true login=true");
    }
  }

  /**
   * The first start logs in as the default superuser first: the probe of DCloud's role, which cannot
   * exist yet, made the driver warn "Authentication error ... check your authentication configuration"
   * on every first `dcloud dev`.
   */
  @Test
  void aFreshDataDirIsSetUpWithoutTheDriverWarningOfRefusedLogins() {
    assertThat(driverWarningsAtFirstStart).noneMatch(message -> message.contains("Authentication error"));
  }

  /**
   * Read from /proc (Linux): the child's listening TCP sockets, its JMX port's among them, are all
   * on 127.0.0.1, so nothing of it (JMX and its RMI objects included) is reachable from another
   * machine. No connection to a non-loopback address is needed to know it.
   */
  @Test
  void everyPortOfTheChildJmxIncludedListensOnLoopbackOnly() throws IOException {
    Map<Integer, String> listening = listeningSockets(cassandra.process().pid());

    assertThat(listening).containsKeys(cassandra.jmxPort(), cassandra.cqlPort(), cassandra.storagePort());
    assertThat(Set.copyOf(listening.values())).containsExactly("127.0.0.1");
  }

  private static void assertRefused(ThrowingSession connect) {
    assertThatThrownBy(() -> connect.open().close())
        .isInstanceOf(AllNodesFailedException.class)
        .satisfies(e -> assertThat(((AllNodesFailedException) e).getAllErrors().values().stream().flatMap(List::stream))
            .hasAtLeastOneElementOfType(AuthenticationException.class));
  }

  private interface ThrowingSession {
    CqlSession open();
  }

  /** Port to local address of each TCP socket in state LISTEN that the process holds. */
  private static Map<Integer, String> listeningSockets(long pid) throws IOException {
    List<String> inodes = new ArrayList<>();
    try (Stream<Path> fds = Files.list(Path.of("/proc", Long.toString(pid), "fd"))) {
      for (Path fd : fds.toList()) {
        try {
          String target = Files.readSymbolicLink(fd).toString();
          if (target.startsWith("socket:[")) {
            inodes.add(target.substring("socket:[".length(), target.length() - 1));
          }
        } catch (IOException closedMeanwhile) {
          // a descriptor closed while listing
        }
      }
    }
    Map<Integer, String> listening = new HashMap<>();
    for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
      Path file = Path.of(table);
      if (!Files.exists(file)) {
        continue;
      }
      for (String line : Files.readAllLines(file).subList(1, Files.readAllLines(file).size())) {
        String[] f = line.trim().split("\\s+");
        // f[1] local address:port (hex), f[3] state (0A = LISTEN), f[9] inode
        if (f[3].equals("0A") && inodes.contains(f[9])) {
          String[] local = f[1].split(":");
          listening.put(Integer.parseInt(local[1], 16), address(local[0]));
        }
      }
    }
    return listening;
  }

  /** /proc/net/tcp's little-endian hex IPv4 address as a dotted quad; an IPv6 one in its hex form. */
  private static String address(String hex) {
    if (hex.length() != 8) {
      return hex;
    }
    long value = Long.parseLong(hex, 16);
    return (value & 0xff) + "." + ((value >> 8) & 0xff) + "." + ((value >> 16) & 0xff) + "." + ((value >> 24) & 0xff);
  }
}
