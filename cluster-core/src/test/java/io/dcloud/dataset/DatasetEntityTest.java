package io.dcloud.dataset;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.dcloud.journal.JournalBackoff;
import io.dcloud.testing.InMemoryChunkStore;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.apache.pekko.Done;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.persistence.testkit.PersistenceTestKitPlugin;
import org.apache.pekko.persistence.testkit.query.javadsl.PersistenceTestKitReadJournal;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** Versions, owners, abandoned uploads and reclaiming, on the in-memory journal. */
class DatasetEntityTest {
  private static final Config CONFIG = PersistenceTestKitPlugin.getInstance().config()
      .withFallback(ConfigFactory.parseString("pekko.actor.provider = local"))
      .withFallback(ConfigFactory.load());
  private static final ActorTestKit testKit = ActorTestKit.create("dataset-test", CONFIG);
  private static final Duration WAIT = Duration.ofSeconds(5);
  private static final Instant AT = Instant.parse("2026-11-23T10:00:00Z");
  private static final Clock CLOCK = Clock.fixed(AT, ZoneOffset.UTC);
  private final Map<String, ActorRef<DatasetEntity.Command>> entities = new ConcurrentHashMap<>();

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  private ActorRef<DatasetEntity.Command> entity(String id) {
    return entities.computeIfAbsent(id, name ->
        testKit.spawn(DatasetBehavior.create(name, JournalBackoff.forManyFromConfig(CONFIG), CLOCK)));
  }

  private DatasetEntity.Reply ask(String id, Function<ActorRef<DatasetEntity.Reply>, DatasetEntity.Command> command) {
    TestProbe<DatasetEntity.Reply> probe = testKit.createTestProbe();
    entity(id).tell(command.apply(probe.getRef()));
    return probe.receiveMessage(WAIT);
  }

  private DatasetState updated(String id, Function<ActorRef<DatasetEntity.Reply>, DatasetEntity.Command> command) {
    DatasetEntity.Reply reply = ask(id, command);
    assertThat(reply).isInstanceOf(DatasetEntity.Updated.class);
    return ((DatasetEntity.Updated) reply).state();
  }

  private DatasetState upload(String id, String actor, String blob, long size) {
    updated(id, r -> new DatasetEntity.BeginUpload(blob, actor, false, r));
    return updated(id, r -> new DatasetEntity.CommitUpload(blob, size, "ab".repeat(32), "text/csv", actor, r));
  }

  private static String id() {
    return "c/d/" + UUID.randomUUID();
  }

  @Test
  void eachCommittedUploadIsTheNextVersionAndOnlyTheOwnerOrAnAdminMayAddOne() {
    String id = id();
    assertThat(upload(id, "alice", "b1", 10).versions()).extracting(DatasetVersion::version).containsExactly(1);
    DatasetState two = upload(id, "alice", "b2", 20);

    assertThat(two.owner()).isEqualTo("alice");
    assertThat(two.latest().orElseThrow().size()).isEqualTo(20);
    assertThat(two.versions()).extracting(DatasetVersion::version).containsExactly(1, 2);
    assertThat(ask(id, r -> new DatasetEntity.BeginUpload("b3", "bob", false, r)))
        .isEqualTo(new DatasetEntity.Refused(DatasetEntity.Reason.NOT_FOUND, "no dataset " + id));
    updated(id, r -> new DatasetEntity.BeginUpload("b3", "root", true, r));
  }

  @Test
  void anAbandonedUploadCannotCommitAndItsBlobIsGarbageUntilReclaimed() {
    String id = id();
    upload(id, "alice", "b1", 10);
    updated(id, r -> new DatasetEntity.BeginUpload("b2", "alice", false, r));
    assertThat(updated(id, r -> new DatasetEntity.AbandonUpload("b2", r)).garbage()).containsExactly("b2");

    DatasetEntity.Reply late = ask(id, r -> new DatasetEntity.CommitUpload("b2", 5, "cd".repeat(32), "x", "alice", r));

    assertThat(late).isInstanceOf(DatasetEntity.Refused.class);
    assertThat(((DatasetEntity.Refused) late).reason()).isEqualTo(DatasetEntity.Reason.CONFLICT);
    DatasetState after = updated(id, r -> new DatasetEntity.MarkReclaimed("b2", r));
    assertThat(after.garbage()).isEmpty();
    assertThat(after.versions()).extracting(DatasetVersion::blobId).containsExactly("b1");
  }

  @Test
  void deletingEveryVersionFreesTheNameButNeverReusesAVersionNumber() {
    String id = id();
    upload(id, "alice", "b1", 10);
    upload(id, "alice", "b2", 10);
    DatasetState one = updated(id, r -> new DatasetEntity.DeleteVersions(1, "alice", r));
    assertThat(one.versions()).extracting(DatasetVersion::version).containsExactly(2);
    assertThat(one.garbage()).containsExactly("b1");
    assertThat(ask(id, r -> new DatasetEntity.DeleteVersions(1, "alice", r))).isInstanceOf(DatasetEntity.Refused.class);

    DatasetState none = updated(id, r -> new DatasetEntity.DeleteVersions(null, "alice", r));
    assertThat(none.exists()).isFalse();
    assertThat(none.owner()).isNull();

    DatasetState bobs = upload(id, "bob", "b3", 10);
    assertThat(bobs.owner()).isEqualTo("bob");
    assertThat(bobs.latest().orElseThrow().version()).isEqualTo(3);
  }

  @Test
  void theListingFoldsTheJournalAndTheJanitorReclaimsStaleUploadsAndDeletedVersions() throws Exception {
    String prefix = "janitor-" + UUID.randomUUID() + "/";
    String id = prefix + "db/set";
    InMemoryChunkStore chunks = new InMemoryChunkStore();
    BlobStore blobs = new ChunkedBlobStore(chunks, new BlobSettings(4, 2, 2));
    for (String blob : List.of("kept", "deleted", "stale")) {
      Source.single(ByteString.fromString("0123456789")).runWith(blobs.write(blob), testKit.system())
          .toCompletableFuture().get(5, TimeUnit.SECONDS);
    }
    upload(id, "alice", "kept", 10);
    upload(id, "alice", "deleted", 10);
    updated(id, r -> new DatasetEntity.DeleteVersions(2, "alice", r));
    updated(id, r -> new DatasetEntity.BeginUpload("stale", "alice", false, r));
    ActorRef<DatasetIndex.Command> index = testKit.spawn(DatasetIndex.create(JournalBackoff.fromConfig(CONFIG)));
    TestProbe<Done> registered = testKit.createTestProbe();
    index.tell(new DatasetIndex.Register(id, registered.getRef()));
    index.tell(new DatasetIndex.Register("elsewhere/db/set", registered.getRef()));
    registered.receiveSeveralMessages(2, WAIT);
    DatasetListing listing = new DatasetListing(testKit.system(), index, PersistenceTestKitReadJournal.Identifier(), WAIT);

    List<DatasetState> listed = listing.list(prefix).toCompletableFuture().get(5, TimeUnit.SECONDS);
    assertThat(listed).extracting(DatasetState::id).containsExactly(id);
    assertThat(listed.get(0).pending()).containsOnlyKeys("stale");

    Clock hourLater = Clock.fixed(AT.plus(Duration.ofHours(1)), ZoneOffset.UTC);
    int reclaimed = DatasetJanitor.sweep(testKit.system(), listing, blobs, this::entity, Duration.ofMinutes(30), WAIT,
        hourLater).toCompletableFuture().get(10, TimeUnit.SECONDS);

    assertThat(reclaimed).isEqualTo(2);
    assertThat(chunks.chunks("kept")).isEqualTo(3);
    assertThat(chunks.chunks("deleted")).isZero();
    assertThat(chunks.chunks("stale")).isZero();
    DatasetState after = listing.list(prefix).toCompletableFuture().get(5, TimeUnit.SECONDS).get(0);
    assertThat(after.pending()).isEmpty();
    assertThat(after.garbage()).isEmpty();
    assertThat(after.versions()).extracting(DatasetVersion::blobId).containsExactly("kept");
  }
}
