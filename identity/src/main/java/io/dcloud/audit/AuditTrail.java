package io.dcloud.audit;

import io.dcloud.serialization.CborSerializable;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.BackoffSupervisorStrategy;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.javadsl.CommandHandlerWithReply;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehaviorWithEnforcedReplies;

/**
 * The audit trail of everything but environments (whose events name their actor already, so the
 * environment directory answers for them): one event-sourced entity per UTC day, sharded, so no
 * single journal grows forever and a query reads only the days it asks for.
 */
public final class AuditTrail
    extends EventSourcedBehaviorWithEnforcedReplies<AuditTrail.Command, AuditTrail.Recorded, AuditTrail.Day> {

  public static final EntityTypeKey<Command> TYPE_KEY = EntityTypeKey.create(Command.class, "Audit");

  public sealed interface Command extends CborSerializable {}

  public record Record(AuditEntry entry, ActorRef<Entries> replyTo) implements Command {}

  public record Read(ActorRef<Entries> replyTo) implements Command {}

  /** The day's entries, oldest first (the reply to a Record carries only the entry recorded). */
  public record Entries(List<AuditEntry> entries) implements CborSerializable {}

  public record Recorded(AuditEntry entry) implements CborSerializable {}

  /** Not snapshotted: a day's journal is replayed whole when the day is read again. */
  public record Day(List<AuditEntry> entries) implements CborSerializable {}

  public static void init(ActorSystem<?> system, BackoffSupervisorStrategy journalBackoff) {
    ClusterSharding.get(system).init(Entity.of(TYPE_KEY, context -> create(context.getEntityId(), journalBackoff)));
  }

  static Behavior<Command> create(String day, BackoffSupervisorStrategy journalBackoff) {
    return new AuditTrail(day, journalBackoff);
  }

  /** The entity id of the day an instant falls on (UTC). */
  public static String dayOf(Instant at) {
    return LocalDate.ofInstant(at, ZoneOffset.UTC).toString();
  }

  private AuditTrail(String day, BackoffSupervisorStrategy journalBackoff) {
    super(PersistenceId.of(TYPE_KEY.name(), day), journalBackoff);
  }

  @Override
  public Day emptyState() {
    return new Day(new ArrayList<>());
  }

  @Override
  public CommandHandlerWithReply<Command, Recorded, Day> commandHandler() {
    return newCommandHandlerWithReplyBuilder().forAnyState()
        .onCommand(Record.class, (day, record) -> Effect().persist(new Recorded(record.entry()))
            .thenReply(record.replyTo(), after -> new Entries(List.of(record.entry()))))
        .onCommand(Read.class, (day, read) -> Effect().reply(read.replyTo(), new Entries(List.copyOf(day.entries()))))
        .build();
  }

  @Override
  public EventHandler<Day, Recorded> eventHandler() {
    // The day's list grows in place (only this actor touches it): copying it per event would make
    // recovering a busy day quadratic.
    return newEventHandlerBuilder().forAnyState().onAnyEvent((day, recorded) -> {
      day.entries().add(recorded.entry());
      return day;
    });
  }
}
