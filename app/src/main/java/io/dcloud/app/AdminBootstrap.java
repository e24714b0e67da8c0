package io.dcloud.app;

import com.typesafe.config.Config;
import io.dcloud.identity.Passwords;
import io.dcloud.identity.UserRegistry;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.pattern.Patterns;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The first start of a cluster creates user {@code admin}, so that nothing is open: with the
 * password in {@code DCLOUD_ADMIN_PASSWORD} ({@code dcloud.identity.admin-password}) if set, else
 * a generated one, printed once and written to {@code <data-dir>/admin-password} (mode 600). Every
 * gateway asks; the registry creates the admin only while it has no user at all, so the first ask
 * wins and later starts change nothing.
 */
final class AdminBootstrap {
  private static final Logger log = LoggerFactory.getLogger(AdminBootstrap.class);
  private static final Duration RETRY = Duration.ofSeconds(1);
  private static final int ATTEMPTS = 120;
  static final String PASSWORD_FILE = "admin-password";

  private AdminBootstrap() {}

  static CompletionStage<Void> run(ActorSystem<?> system, ActorRef<UserRegistry.Command> users, Config config) {
    String configured = config.getString("dcloud.identity.admin-password");
    String password = configured.isEmpty() ? generated() : configured;
    Duration askTimeout = config.getDuration("dcloud.ask-timeout");
    return CompletableFuture.supplyAsync(() -> Passwords.fromConfig(config).hash(password))
        .thenCompose(hash -> Patterns.retry(
            () -> AskPattern.<UserRegistry.Command, UserRegistry.Reply>ask(
                users, replyTo -> new UserRegistry.Bootstrap(hash, replyTo), askTimeout, system.scheduler()),
            ATTEMPTS, RETRY, system.classicSystem().scheduler(), system.executionContext()))
        .thenAccept(reply -> {
          if (!(reply instanceof UserRegistry.Bootstrapped bootstrapped) || !bootstrapped.created()) {
            return;
          }
          if (!configured.isEmpty()) {
            log.info("Created user admin with the password from DCLOUD_ADMIN_PASSWORD");
            return;
          }
          Path file = Path.of(config.getString("dcloud.data-dir")).resolve(PASSWORD_FILE);
          write(file, password);
          // Printed, not logged: log files are kept and shipped; this is shown once to whoever started DCloud.
          System.out.println("Created user admin with password " + password + " (also in " + file.toAbsolutePath()
              + "); sign in with POST /api/v1/auth/login and change it with PATCH /api/v1/users/admin");
        });
  }

  private static String generated() {
    byte[] bytes = new byte[18];
    new SecureRandom().nextBytes(bytes);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  private static void write(Path file, String password) {
    try {
      Files.createDirectories(file.getParent());
      Files.deleteIfExists(file);
      Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      Files.writeString(file, password + "\n", StandardCharsets.UTF_8, StandardOpenOption.TRUNCATE_EXISTING);
    } catch (IOException e) {
      // The admin exists now: losing its password would lock everyone out, so it is still printed.
      log.warn("Cannot write the admin password to {}: {}", file, e.toString());
    }
  }
}
