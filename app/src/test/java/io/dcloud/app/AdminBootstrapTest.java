package io.dcloud.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigValueFactory;
import io.dcloud.identity.Passwords;
import io.dcloud.identity.User;
import io.dcloud.identity.UserRegistry;
import io.dcloud.journal.JournalBackoff;
import io.dcloud.testing.OneNodeCluster;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The first start's admin against the real user registry (one-node cluster, in-memory journal;
 * a cluster per test, since the registry has one journal): the password it is given or generates,
 * the file the generated one is written to, and that later starts leave both alone.
 */
class AdminBootstrapTest {
  private static final Duration ANSWER = Duration.ofSeconds(30);
  private static final AtomicInteger CLUSTERS = new AtomicInteger();

  @TempDir
  Path dataDir;
  private ActorTestKit testKit;
  private ActorRef<UserRegistry.Command> users;

  @BeforeEach
  void start() {
    testKit = OneNodeCluster.start("admin-bootstrap-test-" + CLUSTERS.incrementAndGet());
    users = testKit.spawn(UserRegistry.create(JournalBackoff.fromConfig(config("")), Clock.systemUTC()), "users");
  }

  @AfterEach
  void stop() {
    testKit.shutdownTestKit();
  }

  @Test
  void withoutAConfiguredPasswordTheGeneratedOneIsWrittenForTheOwnerOnlyAndSignsIn() throws Exception {
    run(config(""));

    Path file = dataDir.resolve(AdminBootstrap.PASSWORD_FILE);
    assertThat(file).exists();
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
    String password = Files.readString(file).strip();
    assertThat(password).hasSizeGreaterThanOrEqualTo(16);
    User admin = admin();
    assertThat(Passwords.fromConfig(config("")).matches(password, admin.passwordHash()))
        .as("the written password is the admin's").isTrue();

    byte[] written = Files.readAllBytes(file);
    var modified = Files.getLastModifiedTime(file);
    run(config(""));

    assertThat(Files.readAllBytes(file)).as("a later start generates a password but keeps the file").isEqualTo(written);
    assertThat(Files.getLastModifiedTime(file)).isEqualTo(modified);
    assertThat(admin()).as("and the admin").isEqualTo(admin);
  }

  @Test
  void withAConfiguredPasswordNothingIsWrittenAndThatPasswordSignsIn() throws Exception {
    run(config("configured-admin-password"));

    try (var files = Files.list(dataDir)) {
      assertThat(files).as("the data dir").isEmpty();
    }
    assertThat(Passwords.fromConfig(config("")).matches("configured-admin-password", admin().passwordHash())).isTrue();
  }

  /** The node's config with this data dir and {@code dcloud.identity.admin-password} (empty: none given). */
  private Config config(String adminPassword) {
    return testKit.system().settings().config()
        .withValue("dcloud.data-dir", ConfigValueFactory.fromAnyRef(dataDir.toString()))
        .withValue("dcloud.identity.admin-password", ConfigValueFactory.fromAnyRef(adminPassword));
  }

  private void run(Config config) throws Exception {
    AdminBootstrap.run(testKit.system(), users, config).toCompletableFuture().get(ANSWER.toSeconds(), TimeUnit.SECONDS);
  }

  private User admin() {
    TestProbe<UserRegistry.Reply> probe = testKit.createTestProbe();
    users.tell(new UserRegistry.GetUser(UserRegistry.ADMIN, probe.getRef()));
    return ((UserRegistry.Found) probe.receiveMessage(ANSWER)).user();
  }
}
