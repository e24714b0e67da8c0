package io.dcloud.template;

import io.dcloud.serialization.CborSerializable;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.BackoffSupervisorStrategy;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.javadsl.CommandHandlerWithReply;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehaviorWithEnforcedReplies;
import org.apache.pekko.persistence.typed.javadsl.RetentionCriteria;

/**
 * Named environment templates (the seeds' "templates config"), a cluster singleton on the control
 * role. Starts with the templates DCloud ships ({@link DefaultTemplates}); callers validate a
 * template against the catalog before saving it.
 */
public final class TemplateRegistry
    extends EventSourcedBehaviorWithEnforcedReplies<TemplateRegistry.Command, TemplateRegistry.Event, TemplateRegistry.State> {

  public static final PersistenceId PERSISTENCE_ID = PersistenceId.ofUniqueId("dcloud-templates");
  private static final int SNAPSHOT_EVERY = 50;
  private static final int SNAPSHOTS_KEPT = 2;

  public sealed interface Command extends CborSerializable {}

  public record ListTemplates(ActorRef<Templates> replyTo) implements Command {}

  public record GetTemplate(String name, ActorRef<Lookup> replyTo) implements Command {}

  /** Creates or replaces; the reply says which. */
  public record SaveTemplate(Template template, ActorRef<Saved> replyTo) implements Command {}

  public record DeleteTemplate(String name, ActorRef<Lookup> replyTo) implements Command {}

  public record Templates(List<Template> templates) implements CborSerializable {}

  /** {@code template} is null when there is no template of that name. */
  public record Lookup(String name, Template template) implements CborSerializable {}

  public record Saved(Template template, boolean created) implements CborSerializable {}

  public sealed interface Event extends CborSerializable {}

  public record TemplateSaved(Template template) implements Event {}

  public record TemplateDeleted(String name) implements Event {}

  public record State(Map<String, Template> templates) implements CborSerializable {
    State save(Template template) {
      Map<String, Template> next = new LinkedHashMap<>(templates);
      next.put(template.name(), template);
      return new State(next);
    }

    State delete(String name) {
      Map<String, Template> next = new LinkedHashMap<>(templates);
      next.remove(name);
      return new State(next);
    }
  }

  /** {@code journalBackoff}: how it restarts when the journal fails (see {@code JournalBackoff}). */
  public static Behavior<Command> create(BackoffSupervisorStrategy journalBackoff) {
    return new TemplateRegistry(journalBackoff);
  }

  private TemplateRegistry(BackoffSupervisorStrategy journalBackoff) {
    super(PERSISTENCE_ID, journalBackoff);
  }

  @Override
  public State emptyState() {
    Map<String, Template> defaults = new LinkedHashMap<>();
    DefaultTemplates.load().forEach(t -> defaults.put(t.name(), t));
    return new State(defaults);
  }

  @Override
  public RetentionCriteria retentionCriteria() {
    return RetentionCriteria.snapshotEvery(SNAPSHOT_EVERY, SNAPSHOTS_KEPT);
  }

  @Override
  public CommandHandlerWithReply<Command, Event, State> commandHandler() {
    return newCommandHandlerWithReplyBuilder()
        .forAnyState()
        .onCommand(ListTemplates.class, (state, cmd) -> Effect().reply(
            cmd.replyTo(), new Templates(List.copyOf(state.templates().values()))))
        .onCommand(GetTemplate.class, (state, cmd) -> Effect().reply(
            cmd.replyTo(), new Lookup(cmd.name(), state.templates().get(cmd.name()))))
        .onCommand(SaveTemplate.class, (state, cmd) -> {
          boolean created = !state.templates().containsKey(cmd.template().name());
          return Effect()
              .persist(new TemplateSaved(cmd.template()))
              .thenReply(cmd.replyTo(), after -> new Saved(cmd.template(), created));
        })
        .onCommand(DeleteTemplate.class, (state, cmd) -> {
          Template existing = state.templates().get(cmd.name());
          if (existing == null) {
            return Effect().reply(cmd.replyTo(), new Lookup(cmd.name(), null));
          }
          return Effect()
              .persist(new TemplateDeleted(cmd.name()))
              .thenReply(cmd.replyTo(), after -> new Lookup(cmd.name(), existing));
        })
        .build();
  }

  @Override
  public EventHandler<State, Event> eventHandler() {
    return newEventHandlerBuilder()
        .forAnyState()
        .onEvent(TemplateSaved.class, (state, e) -> state.save(e.template()))
        .onEvent(TemplateDeleted.class, (state, e) -> state.delete(e.name()))
        .build();
  }
}
