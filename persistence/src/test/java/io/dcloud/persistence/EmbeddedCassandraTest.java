package io.dcloud.persistence;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.Row;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

@Tag("cassandra")
class EmbeddedCassandraTest {

  private static final Logger log = LoggerFactory.getLogger(EmbeddedCassandraTest.class);

  @TempDir Path dataDir;

  @Test
  void settingsComeFromReferenceConf() throws IOException {
    Path passwordFile = dataDir.resolve("secrets").resolve("cassandra-password");
    Config config =
        ConfigFactory.load(
            ConfigFactory.parseMap(Map.of("dcloud.cassandra.password-file", passwordFile.toString())));
    EmbeddedCassandra.Settings settings = EmbeddedCassandra.Settings.fromConfig(config);

    assertThat(settings.dataDir()).isEqualTo(Path.of("data", "cassandra"));
    assertThat(settings.host()).isEqualTo("127.0.0.1");
    assertThat(settings.cqlPort()).isEqualTo(9042);
    assertThat(settings.storagePort()).isEqualTo(7000);
    assertThat(settings.heap()).isEqualTo("512M");
    assertThat(settings.startupTimeout()).isEqualTo(Duration.ofSeconds(120));
    assertThat(settings.drainTimeout()).isEqualTo(Duration.ofSeconds(20));
    String libDirProperty = System.getProperty("dcloud.cassandra.lib-dir");
    assertThat(settings.libDir())
        .isEqualTo(Path.of(libDirProperty != null ? libDirProperty : "cassandra-dist/target/cassandra-lib"));

    // No password configured: one is generated into the password file, for this user only, once.
    assertThat(settings.credentials().username()).isEqualTo("dcloud");
    assertThat(Files.readString(passwordFile).strip()).isEqualTo(settings.credentials().password());
    assertThat(settings.credentials().password()).hasSizeGreaterThanOrEqualTo(32);
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(passwordFile))).isEqualTo("rw-------");
    assertThat(EmbeddedCassandra.Settings.fromConfig(config).credentials()).isEqualTo(settings.credentials());
    assertThat(settings.credentials().toString()).doesNotContain(settings.credentials().password());
  }

  @Test
  void rowsSurviveARestartOnTheSameDataDir() {
    EmbeddedCassandra.Settings settings = CassandraTestSupport.settings(dataDir);
    ProcessHandle firstChild;

    long t0 = System.nanoTime();
    try (EmbeddedCassandra cassandra = EmbeddedCassandra.start(settings)) {
      long started = System.nanoTime();
      firstChild = cassandra.process();
      try (CqlSession session = CassandraTestSupport.session(cassandra)) {
        session.execute(
            "CREATE KEYSPACE dcloud_test WITH replication = "
                + "{'class': 'SimpleStrategy', 'replication_factor': 1}");
        session.execute("CREATE TABLE dcloud_test.notes (id text PRIMARY KEY, body text)");
        session.execute("INSERT INTO dcloud_test.notes (id, body) VALUES ('n1', 'kept')");
        assertThat(bodyOf(session, "n1")).isEqualTo("kept");
      }
      log.info(
          "first start (empty dir): ready after {} ms, child RSS {} MiB",
          Duration.ofNanos(started - t0).toMillis(),
          CassandraTestSupport.rssMib(firstChild.pid()));

      assertThatThrownBy(() -> EmbeddedCassandra.start(settings))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("in use");
    }
    assertThat(firstChild.isAlive()).isFalse();

    long t1 = System.nanoTime();
    ProcessHandle secondChild;
    try (EmbeddedCassandra cassandra = EmbeddedCassandra.start(settings)) {
      long started = System.nanoTime();
      secondChild = cassandra.process();
      try (CqlSession session = CassandraTestSupport.session(cassandra)) {
        assertThat(bodyOf(session, "n1")).isEqualTo("kept");
      }
      log.info(
          "second start (same dir): ready after {} ms, child RSS {} MiB",
          Duration.ofNanos(started - t1).toMillis(),
          CassandraTestSupport.rssMib(secondChild.pid()));
      assertThat(cassandra.isRunning()).isTrue();
      InetSocketAddress cql = cassandra.cqlAddress();
      cassandra.close();
      assertThat(secondChild.isAlive()).isFalse();
      assertThat(cassandra.isRunning()).isFalse();
      assertThat(accepts(cql)).as("CQL port closed after close()").isFalse();
    }
  }

  @Test
  void aChildThatDiesAtOnceIsReportedWithItsOutput() {
    EmbeddedCassandra.Settings tooSmallHeap =
        new EmbeddedCassandra.Settings(
            CassandraTestSupport.settings(dataDir).libDir(),
            dataDir,
            "127.0.0.1",
            0,
            0,
            "1k",
            Duration.ofSeconds(30),
            Duration.ofSeconds(5),
            CassandraTestSupport.CREDENTIALS,
            java.util.List.of(), Duration.ofSeconds(5));

    assertThatThrownBy(() -> EmbeddedCassandra.start(tooSmallHeap))
        .isInstanceOf(EmbeddedCassandra.StartException.class)
        .hasMessageContaining("exited with code")
        .hasMessageContaining("heap");
  }

  @Test
  void aTakenCqlPortIsRefusedBeforeLaunching() throws IOException {
    EmbeddedCassandra.Settings settings = CassandraTestSupport.settings(dataDir);
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      assertThatThrownBy(() -> EmbeddedCassandra.start(settings.withPorts(taken.getLocalPort(), 0)))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("CQL port")
          .hasMessageContaining("already in use");
    }
  }

  private static String bodyOf(CqlSession session, String id) {
    Row row =
        session.execute("SELECT body FROM dcloud_test.notes WHERE id = ?", id).one();
    return row == null ? null : row.getString("body");
  }

  private static boolean accepts(InetSocketAddress address) {
    try (Socket socket = new Socket()) {
      socket.connect(address, 500);
      return true;
    } catch (IOException e) {
      return false;
    }
  }
}
