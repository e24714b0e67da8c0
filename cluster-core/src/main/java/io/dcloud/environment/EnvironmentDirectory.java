package io.dcloud.environment;

import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.NoSerializationVerificationNeeded;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.persistence.query.EventEnvelope;
import org.apache.pekko.persistence.query.NoOffset;
import org.apache.pekko.persistence.query.PersistenceQuery;
import org.apache.pekko.persistence.query.javadsl.EventsByTagQuery;
import org.apache.pekko.stream.RestartSettings;
import org.apache.pekko.stream.javadsl.RestartSource;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;

/**
 * The read side behind {@code GET /environments}: every gateway keeps this local, in-memory
 * listing, folded from the tagged event stream of all environments (so lists never ask each
 * entity). It lags the entities by the journal's query delay, a fraction of a second.
 */
public final class EnvironmentDirectory extends AbstractBehavior<EnvironmentDirectory.Command> {

  /** The read side needs only the latest step of each environment's history. */
  private static final int HISTORY_KEPT = 1;

  public sealed interface Command {}

  /** One journal event of one environment, in that environment's order. */
  public record Apply(String environmentId, long sequenceNr, EnvironmentEntity.Event event)
      implements Command, NoSerializationVerificationNeeded {}

  /** {@code status} and {@code name} are optional filters (null = any). */
  public record ListEnvironments(EnvironmentEntity.Status status, String name, ActorRef<Listing> replyTo)
      implements Command, NoSerializationVerificationNeeded {}

  public record Listing(List<EnvironmentView> environments) implements NoSerializationVerificationNeeded {}

  private record Folded(EnvironmentEntity.State state, long sequenceNr) {}

  public static Behavior<Command> create() {
    return Behaviors.setup(EnvironmentDirectory::new);
  }

  /** Follows the journal's {@link EnvironmentEntity#TAG} events into {@code directory}, restarting on failure. */
  public static void follow(
      ActorSystem<?> system, String readJournalPluginId, ActorRef<Command> directory, RestartSettings restart) {
    EventsByTagQuery journal =
        PersistenceQuery.get(system).getReadJournalFor(EventsByTagQuery.class, readJournalPluginId);
    Source<EventEnvelope, NotUsed> events =
        RestartSource.withBackoff(restart, () -> journal.eventsByTag(EnvironmentEntity.TAG, NoOffset.getInstance()));
    events
        .filter(envelope -> envelope.event() instanceof EnvironmentEntity.Event)
        .map(envelope -> new Apply(
            entityId(envelope.persistenceId()), envelope.sequenceNr(), (EnvironmentEntity.Event) envelope.event()))
        .runWith(Sink.foreach(directory::tell), system);
  }

  private static String entityId(String persistenceId) {
    int separator = persistenceId.indexOf('|');
    return separator < 0 ? persistenceId : persistenceId.substring(separator + 1);
  }

  private final Map<String, Folded> environments = new HashMap<>();

  private EnvironmentDirectory(ActorContext<Command> context) {
    super(context);
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(Apply.class, this::onApply)
        .onMessage(ListEnvironments.class, this::onList)
        .build();
  }

  /** Replays after a restart of the stream deliver events again: the sequence number makes them harmless. */
  private Behavior<Command> onApply(Apply apply) {
    Folded current = environments.get(apply.environmentId());
    if (current != null && apply.sequenceNr() <= current.sequenceNr()) {
      return this;
    }
    EnvironmentEntity.State before =
        current == null ? EnvironmentEntity.State.empty(apply.environmentId()) : current.state();
    environments.put(
        apply.environmentId(), new Folded(before.apply(apply.event(), HISTORY_KEPT), apply.sequenceNr()));
    return this;
  }

  private Behavior<Command> onList(ListEnvironments list) {
    List<EnvironmentView> matching =
        environments.values().stream()
            .map(folded -> folded.state().view())
            .filter(view -> list.status() == null || list.status() == view.status())
            .filter(view -> list.name() == null || list.name().equals(view.name()))
            .sorted(Comparator.comparing(EnvironmentView::createdAt).thenComparing(EnvironmentView::id))
            .toList();
    list.replyTo().tell(new Listing(matching));
    return this;
  }
}
