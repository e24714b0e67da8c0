package io.dcloud.environment;

import static org.assertj.core.api.Assertions.assertThat;

import io.dcloud.journal.NewEntityJournal;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.BiFunction;
import org.apache.pekko.actor.testkit.typed.javadsl.FishingOutcomes;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.persistence.testkit.JournalOperation;
import org.apache.pekko.persistence.testkit.ProcessingPolicy;
import org.apache.pekko.persistence.testkit.ProcessingResult;
import org.apache.pekko.persistence.testkit.ProcessingSuccess;
import org.apache.pekko.persistence.testkit.StorageFailure;
import org.apache.pekko.persistence.testkit.WriteEvents;
import org.apache.pekko.persistence.testkit.javadsl.PersistenceTestKit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * An environment started by a Create under a new id recovers without reading the journal ({@link
 * NewEntityJournal}), writes where every later incarnation reads, and after a failed write reads
 * what the journal holds. Against the in-memory journal, every operation on it recorded.
 */
class NewEntityRecoveryTest extends EnvironmentEntityFixture {
  /** This test's (the fixture is PER_CLASS): its environment's id, and what the journal was asked for it. */
  private String newId;
  private String persistenceId;
  private ConcurrentLinkedQueue<String> operations;

  @BeforeEach
  void newEnvironment() {
    newId = UUID.randomUUID().toString();
    persistenceId = EnvironmentEntity.TYPE_KEY.name() + "|" + newId;
    operations = new ConcurrentLinkedQueue<>();
  }

  @AfterEach
  void resetJournal() {
    entity.persistenceTestKit().resetPolicy();
  }

  @Test
  void aCreateUnderANewIdStartsWithoutReadingTheJournalAndWritesWhereTheNextIncarnationReads() {
    record((pid, operation) -> ProcessingSuccess.getInstance());
    ActorRef<EnvironmentEntity.Command> incarnation = testKit.spawn(EnvironmentSharding.createOnFirstMessage(newId, wiring));
    TestProbe<EnvironmentEntity.Reply> replies = testKit.createTestProbe();

    incarnation.tell(new EnvironmentEntity.Create(spec(64L << 20), RECIPE, replies.getRef(), "ada", null, true));

    assertThat(((EnvironmentEntity.Ok) replies.receiveMessage(WAIT)).view().status()).isEqualTo(EnvironmentStatus.REQUESTED);
    assertThat(operations).containsExactly("write");

    stop(incarnation);
    ActorRef<EnvironmentEntity.Command> next = testKit.spawn(EnvironmentSharding.createOnFirstMessage(newId, wiring));
    next.tell(new EnvironmentEntity.Get(replies.getRef()));
    EnvironmentView recovered = ((EnvironmentEntity.Ok) replies.receiveMessage(WAIT)).view();
    assertThat(recovered.status()).isEqualTo(EnvironmentStatus.REQUESTED);
    assertThat(recovered.owner()).isEqualTo("ada");
    assertThat(operations).contains("read");
  }

  @Test
  void aCreateUnderAnIdThatMayHaveBeenUsedReadsTheJournal() {
    record((pid, operation) -> ProcessingSuccess.getInstance());
    ActorRef<EnvironmentEntity.Command> incarnation = testKit.spawn(EnvironmentSharding.createOnFirstMessage(newId, wiring));
    TestProbe<EnvironmentEntity.Reply> replies = testKit.createTestProbe();

    incarnation.tell(new EnvironmentEntity.Create(spec(64L << 20), RECIPE, replies.getRef(), "ada", null, false));

    assertThat(replies.receiveMessage(WAIT)).isInstanceOf(EnvironmentEntity.Ok.class);
    assertThat(operations).startsWith("read").endsWith("write");
  }

  /**
   * The first write fails but reaches the journal (as a timed-out one may): the restart must read
   * it, or the environment would be forgotten while its event is kept — and its next write would
   * reuse the sequence number.
   */
  @Test
  void aNewEntityWhoseWriteFailedRecoversWhatTheJournalHolds() {
    PersistenceTestKit journal = entity.persistenceTestKit();
    record((pid, operation) -> {
      if (operation instanceof WriteEvents write && !operations.contains("failed write")) {
        operations.add("failed write");
        journal.persistForRecovery(pid, write.getBatch());
        return StorageFailure.create();
      }
      return ProcessingSuccess.getInstance();
    });
    ActorRef<EnvironmentEntity.Command> incarnation = testKit.spawn(EnvironmentSharding.createOnFirstMessage(newId, wiring));
    TestProbe<EnvironmentEntity.Reply> replies = testKit.createTestProbe();

    incarnation.tell(new EnvironmentEntity.Create(spec(64L << 20), RECIPE, replies.getRef(), "ada", null, true));

    // Recovered, the REQUESTED environment asks for its place (on the failed write it could not).
    assertThat(scheduler.fishForMessage(WAIT, place -> place.toString().contains(newId)
        ? FishingOutcomes.complete() : FishingOutcomes.continueAndIgnore())).isNotEmpty();
    incarnation.tell(new EnvironmentEntity.Get(replies.getRef()));
    EnvironmentView view = replies.expectMessageClass(EnvironmentEntity.Ok.class, WAIT).view();
    assertThat(view.status()).isEqualTo(EnvironmentStatus.REQUESTED);
    assertThat(operations).containsSubsequence("failed write", "read");
  }

  /** Records this test's environment's journal operations ("read", "write"), then applies {@code policy}. */
  private void record(BiFunction<String, JournalOperation, ProcessingResult> policy) {
    String recorded = persistenceId;
    ConcurrentLinkedQueue<String> into = operations;
    entity.persistenceTestKit().withPolicy(new ProcessingPolicy<JournalOperation>() {
      @Override
      public ProcessingResult tryProcess(String pid, JournalOperation operation) {
        if (!pid.equals(recorded)) {
          return ProcessingSuccess.getInstance();
        }
        // ReadEvents or the case object ReadSeqNum$ (the highest sequence number).
        if (operation.getClass().getSimpleName().startsWith("Read")) {
          into.add("read");
        } else if (operation instanceof WriteEvents) {
          into.add("write");
        }
        return policy.apply(pid, operation);
      }
    });
  }

  private void stop(ActorRef<EnvironmentEntity.Command> incarnation) {
    TestProbe<Object> watcher = testKit.createTestProbe();
    incarnation.tell(new EnvironmentEntity.Passivate());
    watcher.expectTerminated(incarnation, WAIT);
  }
}
