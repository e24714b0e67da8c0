package io.dcloud.gateway.common;

import io.dcloud.ask.Asks;
import io.dcloud.audit.AuditEntry;
import io.dcloud.audit.AuditTrail;
import io.dcloud.environment.EnvironmentDirectory;
import io.dcloud.identity.Caller;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Records state-changing requests in the {@link AuditTrail} (after the request is answered: a slow
 * journal never delays the user, and a record that cannot be written is logged at WARN with what
 * it said), and answers {@code GET /audit} from the trail's days and the environment directory
 * (environment events carry their actor already).
 */
public final class AuditLog {
  private static final Logger log = LoggerFactory.getLogger(AuditLog.class);
  /** The most days one query reads: a wider {@code since} is cut to this. */
  static final int MAX_DAYS = 31;
  /** A refusal's reason is cut to this many characters in its entry (a 422 may list every field). */
  private static final int MAX_DETAIL = 300;

  private final ActorSystem<?> system;
  private final ClusterSharding sharding;
  private final ActorRef<EnvironmentDirectory.Command> directory;
  private final Duration timeout;
  private final Clock clock;

  public AuditLog(ActorSystem<?> system, ActorRef<EnvironmentDirectory.Command> directory, Duration timeout, Clock clock) {
    this.system = system;
    this.sharding = ClusterSharding.get(system);
    this.directory = directory;
    this.timeout = timeout;
    this.clock = clock;
  }

  /** A signed-in caller's request, from where they sent it. */
  public void record(Caller caller, String action, String target, String outcome) {
    record(caller.username(), action, target, caller.address(), outcome);
  }

  public void record(String actor, String action, String target, String address, String outcome) {
    AuditEntry entry = new AuditEntry(clock.instant(), actor, action, target, address, outcome);
    sharding.entityRefFor(AuditTrail.TYPE_KEY, AuditTrail.dayOf(entry.at()))
        .<AuditTrail.Entries>ask(replyTo -> new AuditTrail.Record(entry, replyTo), timeout)
        .whenComplete((done, failure) -> {
          if (failure != null) {
            log.warn("Audit entry not recorded ({}): {}", failure.getMessage(), entry);
          }
        });
  }

  /**
   * {@code answer}, whose refusal is recorded with its problem: what is done to an environment is
   * recorded by its events, and what was refused has none. A 429 or a 5xx (load, or a cluster that
   * did not answer) decides nothing about the request and is not recorded: recording each would add
   * a journal write to every request shed under load.
   */
  public <T> CompletionStage<T> refusals(Caller caller, String action, String target, CompletionStage<T> answer) {
    return answer.whenComplete((done, failure) -> {
      Problem problem = failure == null ? null : ProblemExceptions.known(failure, timeout);
      if (problem != null && problem.status() >= 400 && problem.status() < 500 && problem.status() != 429) {
        String detail = problem.detail() == null ? problem.title() : problem.detail();
        record(caller, action, target, "refused (" + problem.status() + "): "
            + (detail.length() > MAX_DETAIL ? detail.substring(0, MAX_DETAIL) + "…" : detail));
      }
    });
  }

  /** Entries since {@code since} (at most {@link #MAX_DAYS} back), of {@code user} if not null, newest first. */
  public CompletionStage<List<AuditEntry>> query(String user, Instant since, int limit) {
    LocalDate today = LocalDate.ofInstant(clock.instant(), ZoneOffset.UTC);
    LocalDate first = LocalDate.ofInstant(since, ZoneOffset.UTC);
    if (first.isBefore(today.minusDays(MAX_DAYS - 1))) {
      first = today.minusDays(MAX_DAYS - 1);
    }
    List<CompletableFuture<List<AuditEntry>>> parts = new ArrayList<>();
    for (LocalDate day = first; !day.isAfter(today); day = day.plusDays(1)) {
      parts.add(sharding.entityRefFor(AuditTrail.TYPE_KEY, day.toString())
          .<AuditTrail.Entries>ask(AuditTrail.Read::new, timeout)
          .thenApply(AuditTrail.Entries::entries)
          .toCompletableFuture());
    }
    parts.add(AskPattern.<EnvironmentDirectory.Command, EnvironmentDirectory.AuditLines>ask(
            directory, replyTo -> new EnvironmentDirectory.GetAudit(since, user, replyTo), timeout, system.scheduler())
        .thenApply(lines -> lines.lines().stream()
            .map(line -> new AuditEntry(line.at(), line.actor(), line.action(), line.environmentId(), line.address(), "ok"))
            .toList())
        .toCompletableFuture());
    CompletableFuture<List<AuditEntry>> all = CompletableFuture.allOf(parts.toArray(CompletableFuture[]::new))
        .thenApply(done -> parts.stream()
            .flatMap(part -> part.join().stream())
            .filter(entry -> !entry.at().isBefore(since))
            .filter(entry -> user == null || user.equals(entry.actor()))
            .sorted(Comparator.comparing(AuditEntry::at).reversed())
            .limit(limit)
            .toList());
    return Asks.completedOn(all, system.executionContext());
  }
}
