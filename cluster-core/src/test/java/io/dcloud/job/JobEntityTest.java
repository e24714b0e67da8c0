package io.dcloud.job;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.dcloud.dataset.BlobSettings;
import io.dcloud.dataset.BlobStore;
import io.dcloud.dataset.ChunkStore;
import io.dcloud.dataset.ChunkedBlobStore;
import io.dcloud.dataset.DatasetEntity;
import io.dcloud.dataset.DatasetIndex;
import io.dcloud.dataset.DatasetState;
import io.dcloud.dataset.DatasetVersion;
import io.dcloud.dataset.DatasetWriter;
import io.dcloud.environment.EnvironmentEntity;
import io.dcloud.journal.JournalBackoff;
import io.dcloud.node.ProxyWire;
import io.dcloud.service.ServiceDefinition;
import io.dcloud.service.ServiceEntity;
import io.dcloud.service.ServiceView;
import io.dcloud.testing.InMemoryChunkStore;
import io.dcloud.testing.TestNodeWatch;
import io.micrometer.core.instrument.Metrics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.stream.IntStream;
import org.apache.pekko.Done;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.RecipientRef;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.persistence.testkit.PersistenceTestKitPlugin;
import org.apache.pekko.persistence.testkit.PersistenceTestKitSnapshotPlugin;
import org.apache.pekko.persistence.testkit.javadsl.SnapshotTestKit;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The job entity against an in-memory journal and blob store, with real dataset entities for its
 * output; the service and its replicas are stand-ins that answer {@code /predict} as the model's
 * wrapper does (here: each instance's {@code v} times two), or fail, or never answer.
 */
class JobEntityTest {
  private static final Config CONFIG = PersistenceTestKitPlugin.getInstance().config()
      .withFallback(PersistenceTestKitSnapshotPlugin.config())
      .withFallback(ConfigFactory.parseString("""
          pekko.actor.provider = local
          pekko.actor.serialize-messages = on
          """))
      .withFallback(ConfigFactory.load());
  private static final ActorTestKit testKit = ActorTestKit.create("job-entity-test", CONFIG);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int PORT = 8080;
  /** Often: a job taken up again recovers from a snapshot and the events after it. */
  private static final int SNAPSHOT_EVERY = 3;

  static {
    Metrics.addRegistry(new SimpleMeterRegistry());
  }

  /** How a stand-in replica answers. */
  enum Mode { ANSWER, UNAVAILABLE, SILENT }

  /** A replica: how it answers now, and the first record of every task it was sent. */
  record Replica(String id, String node, AtomicReference<Mode> mode, List<Integer> got) {}

  private final Map<String, Replica> replicas = new ConcurrentHashMap<>();
  private final Map<String, ActorRef<EnvironmentEntity.Command>> replicaRefs = new ConcurrentHashMap<>();
  private final Map<String, ActorRef<DatasetEntity.Command>> datasets = new ConcurrentHashMap<>();
  private final InMemoryChunkStore chunks = new InMemoryChunkStore();
  /** Blobs whose chunks after the first are read only once {@link #gate} opens. */
  private final Set<String> gated = ConcurrentHashMap.newKeySet();
  private final CompletableFuture<Void> gate = new CompletableFuture<>();
  private final BlobStore blobs = new ChunkedBlobStore(new ChunkStore() {
    @Override
    public CompletionStage<Done> put(String blobId, long index, ByteString chunk) {
      return chunks.put(blobId, index, chunk);
    }

    @Override
    public CompletionStage<Optional<ByteString>> get(String blobId, long index) {
      return gated.contains(blobId) && index > 0 ? gate.thenCompose(open -> chunks.get(blobId, index))
          : chunks.get(blobId, index);
    }

    @Override
    public CompletionStage<Done> deleteAll(String blobId) {
      return chunks.deleteAll(blobId);
    }
  }, new BlobSettings(1000, 2, 2));
  private final TestNodeWatch nodes = new TestNodeWatch();
  private TestProbe<JobIndex.Command> index;
  private ActorRef<ServiceEntity.Command> service;
  /** The load the job reported to its service, in turn. */
  private final List<Double> loads = new CopyOnWriteArrayList<>();
  private ActorRef<DatasetIndex.Command> datasetIndex;
  private JobEntity.Wiring wiring;
  private final AtomicReference<ActorRef<JobEntity.Command>> job = new AtomicReference<>();
  private String id;

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  @BeforeEach
  void setUp() {
    id = UUID.randomUUID().toString();
    index = testKit.createTestProbe();
    service = testKit.spawn(Behaviors.receiveMessage(get -> {
      if (get instanceof ServiceEntity.ReportLoad load) {
        loads.add(load.ongoingRequests());
      }
      if (get instanceof ServiceEntity.Get g) {
        g.replyTo().tell(new ServiceEntity.Ok(new ServiceView("iris", ServiceDefinition.Kind.MODEL, "alice", 1,
            replicas.size(), PORT, new ServiceDefinition.Readiness("/ready"),
            replicas.values().stream().map(r -> new ServiceView.Replica(r.id(), r.node(), "RUNNING", true, 1)).toList(),
            false, null)));
      }
      return Behaviors.same();
    }));
    datasetIndex = testKit.spawn(DatasetIndex.create(JournalBackoff.fromConfig(CONFIG)));
    wiring = wiring(Duration.ofMillis(500));
  }

  /** {@code taskTimeout}: how long a silent replica holds a task. */
  private JobEntity.Wiring wiring(Duration taskTimeout) {
    Function<String, RecipientRef<DatasetEntity.Command>> datasetRefs = this::dataset;
    return new JobEntity.Wiring(replicaRefs::get, name -> service, datasetRefs, blobs,
        new DatasetWriter(testKit.system(), datasetRefs, datasetIndex, blobs, Duration.ofSeconds(3)), index.getRef(),
        (jobId, tick) -> job.get().tell(tick), nodes,
        new JobEntity.Settings(taskTimeout, 3, 2, Duration.ofMillis(100), 1500, SNAPSHOT_EVERY, JournalBackoff.fromConfig(CONFIG)),
        Clock.systemUTC());
  }

  private RecipientRef<DatasetEntity.Command> dataset(String datasetId) {
    return datasets.computeIfAbsent(datasetId, d ->
        testKit.spawn(DatasetEntity.behavior(d, JournalBackoff.fromConfig(CONFIG), Clock.systemUTC())));
  }

  private Replica replica(String name, String node, Mode mode) {
    Replica replica = new Replica(name + "-" + UUID.randomUUID(), node, new AtomicReference<>(mode), new CopyOnWriteArrayList<>());
    replicaRefs.put(replica.id(), testKit.spawn(answering(replica)));
    replicas.put(replica.id(), replica);
    return replica;
  }

  /** The serving wrapper's answer: {@code {"predictions": [2 * v, ...]}}, or none, or "not running". */
  private static Behavior<EnvironmentEntity.Command> answering(Replica replica) {
    return Behaviors.receiveMessage(command -> {
      if (command instanceof EnvironmentEntity.Proxy proxy && proxy.call() instanceof ProxyWire.Http http) {
        assertThat(proxy.port()).isEqualTo(PORT);
        assertThat(http.target()).isEqualTo("/predict");
        JsonNode instances = JSON.readTree(http.body().bytes()).get("instances");
        replica.got().add(instances.get(0).get("v").intValue());
        switch (replica.mode().get()) {
          case ANSWER -> {
            StringBuilder predictions = new StringBuilder("{\"predictions\":[");
            for (int i = 0; i < instances.size(); i++) {
              predictions.append(i == 0 ? "" : ",").append(2 * instances.get(i).get("v").intValue());
            }
            byte[] body = predictions.append("]}").toString().getBytes(StandardCharsets.UTF_8);
            proxy.replyTo().tell(new ProxyWire.Response(200, List.of(), "application/json", new ProxyWire.Chunk(body), null));
          }
          case UNAVAILABLE -> proxy.replyTo().tell(new ProxyWire.Unavailable(ProxyWire.Why.NOT_RUNNING, "it stopped"));
          case SILENT -> { }
        }
      }
      return Behaviors.same();
    });
  }

  /** Stores {@code count} records {@code {"v": i}} as an input version. */
  private JobSpec input(int count, int batchSize) {
    String text = IntStream.range(0, count).mapToObj(i -> "{\"v\": " + i + "}\n").reduce("", String::concat);
    String blobId = UUID.randomUUID().toString();
    BlobStore.StoredBlob stored = Source.single(ByteString.fromString(text)).runWith(blobs.write(blobId), testKit.system())
        .toCompletableFuture().join();
    DatasetVersion version = new DatasetVersion(1, blobId, stored.size(), stored.sha256(), "application/x-ndjson", "alice",
        Instant.now());
    return new JobSpec("iris", "tables/iris/inputs", version, batchSize);
  }

  private JobView submit(JobSpec spec) {
    job.set(testKit.spawn(JobEntity.create(id, wiring)));
    TestProbe<JobEntity.Reply> probe = testKit.createTestProbe();
    job.get().tell(new JobEntity.Submit(spec, "alice", probe.getRef()));
    return ((JobEntity.Ok) probe.receiveMessage()).view();
  }

  private JobView get() {
    TestProbe<JobEntity.Reply> probe = testKit.createTestProbe();
    job.get().tell(new JobEntity.Get(probe.getRef()));
    return ((JobEntity.Ok) probe.receiveMessage()).view();
  }

  /** Polls the job until it is {@code status} (15 s at most). */
  private JobView awaitStatus(JobStatus status) {
    AtomicReference<JobView> seen = new AtomicReference<>();
    index.awaitAssert(Duration.ofSeconds(15), Duration.ofMillis(50), () -> {
      seen.set(get());
      assertThat(seen.get().status()).as("job %s: %s", id, seen.get()).isEqualTo(status);
      return null;
    });
    return seen.get();
  }

  /**
   * A job of {@code records} in tasks of {@code batchSize} submitted with a silent replica on n2 as
   * the only one (tasks held for up to a minute), once it holds two tasks; the replica.
   */
  private Replica submittedToASilentReplica(int records, int batchSize) {
    Replica silent = replica("silent", "n2", Mode.SILENT);
    wiring = wiring(Duration.ofMinutes(1));
    submit(input(records, batchSize));
    awaitHeld(silent, 2);
    return silent;
  }

  /** Waits until {@code replica} (a silent one) holds {@code tasks} tasks. */
  private void awaitHeld(Replica replica, int tasks) {
    index.awaitAssert(Duration.ofSeconds(10), Duration.ofMillis(50), () -> {
      assertThat(replica.got()).as("tasks held by %s", replica.id()).hasSize(tasks);
      return null;
    });
  }

  private List<String> output(JobView view) {
    TestProbe<DatasetState> probe = testKit.createTestProbe();
    dataset(view.outputDataset()).tell(new DatasetEntity.Get(probe.getRef()));
    DatasetVersion version = probe.receiveMessage().version(view.outputVersion()).orElseThrow();
    assertThat(version.contentType()).isEqualTo(JobEntity.OUTPUT_CONTENT_TYPE);
    String text = blobs.read(version.blobId(), version.size(), version.sha256())
        .runWith(Sink.fold(ByteString.emptyByteString(), ByteString::concat), testKit.system())
        .toCompletableFuture().join().utf8String();
    return text.lines().toList();
  }

  private static List<String> doubled(int count) {
    return IntStream.range(0, count).mapToObj(i -> Integer.toString(2 * i)).toList();
  }

  @Test
  void splitsTheInputIntoTasksSpreadOverTheReplicasAndWritesTheOutputInInputOrder() {
    Replica a = replica("a", "n1", Mode.ANSWER);
    Replica b = replica("b", "n2", Mode.ANSWER);

    JobView submitted = submit(input(230, 50));
    JobView done = awaitStatus(JobStatus.SUCCEEDED);

    assertThat(submitted.status()).isIn(JobStatus.QUEUED, JobStatus.RUNNING);
    assertThat(done.progress().total()).isEqualTo(230);
    assertThat(done.progress().done()).isEqualTo(230);
    assertThat(done.progress().etaSeconds()).isZero();
    assertThat(done.outputDataset()).isEqualTo("jobs/iris/" + id);
    assertThat(output(done)).containsExactlyElementsOf(doubled(230));
    List<Integer> firsts = new ArrayList<>(a.got());
    firsts.addAll(b.got());
    assertThat(firsts).containsExactlyInAnyOrder(0, 50, 100, 150, 200);
    assertThat(done.assignments()).extracting(JobView.Assignment::replica).containsExactlyInAnyOrder(a.id(), b.id());
    assertThat(done.assignments()).allSatisfy(w -> assertThat(w.done()).isPositive());
    assertThat(done.assignments()).extracting(JobView.Assignment::node).containsExactlyInAnyOrder("n1", "n2");
    index.expectMessage(new JobIndex.Register(id, "alice", "iris"));
  }

  /** A service scaled to zero has no replica for a job: the job's backlog, told as load, is what makes it one. */
  @Test
  void aJobTellsItsServiceItsBacklogAsLoadUntilAReplicaTakesIt() {
    submit(input(230, 50));
    index.awaitAssert(Duration.ofSeconds(10), Duration.ofMillis(50), () -> {
      assertThat(loads).as("the five tasks of a running job with no replica").contains(5.0);
      return null;
    });

    replica("a", "n1", Mode.ANSWER);
    awaitStatus(JobStatus.SUCCEEDED);
    int reported = loads.size();
    assertThat(loads.get(reported - 1)).as("fewer tasks left as they are done, or none").isLessThanOrEqualTo(5.0);
  }

  @Test
  void aDirectoryInputIsTakenInPathOrderAndTheJobsCopyOfItIsDeletedWhenItEnds() throws Exception {
    Replica a = replica("a", "n1", Mode.ANSWER);

    submit(new JobSpec("iris", "tables/iris/parts", tarOutOfPathOrder(), 10));
    JobView done = awaitStatus(JobStatus.SUCCEEDED);

    assertThat(output(done)).containsExactlyElementsOf(doubled(45));
    assertThat(a.got()).containsExactlyInAnyOrder(0, 10, 20, 30, 40);
    index.awaitAssert(() -> {
      assertThat(JobInput.spoolBlobIds(id).stream().mapToInt(chunks::chunks).sum()).as("the job's copy of its input").isZero();
      return null;
    });
  }

  /** A directory of records 0..44 stored as a tar: part-2 (records 30..44) before part-1 (0..29). */
  private DatasetVersion tarOutOfPathOrder() throws Exception {
    java.io.ByteArrayOutputStream tar = new java.io.ByteArrayOutputStream();
    try (var out = new org.apache.commons.compress.archivers.tar.TarArchiveOutputStream(tar)) {
      // In the tar: part-2 before part-1; in path order: records 0..29, then 30..44.
      for (var part : List.of(java.util.Map.entry("part-2.jsonl", IntStream.range(30, 45)),
          java.util.Map.entry("part-1.jsonl", IntStream.range(0, 30)))) {
        byte[] text = part.getValue().mapToObj(i -> "{\"v\": " + i + "}\n").reduce("", String::concat)
            .getBytes(StandardCharsets.UTF_8);
        var entry = new org.apache.commons.compress.archivers.tar.TarArchiveEntry(part.getKey());
        entry.setSize(text.length);
        out.putArchiveEntry(entry);
        out.write(text);
        out.closeArchiveEntry();
      }
    }
    String blobId = UUID.randomUUID().toString();
    BlobStore.StoredBlob stored = Source.single(ByteString.fromArray(tar.toByteArray()))
        .runWith(blobs.write(blobId), testKit.system()).toCompletableFuture().join();
    return new DatasetVersion(1, blobId, stored.size(), stored.sha256(), DatasetVersion.TAR, "alice", Instant.now());
  }

  @Test
  void aJobTakenUpAgainUsesItsKeptTaskStartsInsteadOfReadingItsInputThrough() throws Exception {
    Replica slow = replica("slow", "n1", Mode.SILENT);
    wiring = wiring(Duration.ofMinutes(1));
    DatasetVersion tar = tarOutOfPathOrder();
    submit(new JobSpec("iris", "tables/iris/parts", tar, 10));
    awaitHeld(slow, 2);
    assertThat(chunks.chunks(StoredTaskStarts.blobId(id))).as("its task starts, kept").isPositive();

    testKit.stop(job.get());
    // Read through again, the input would fail the job: its tasks come from the job's own copy.
    chunks.deleteAll(tar.blobId()).toCompletableFuture().join();
    slow.mode().set(Mode.ANSWER);
    job.set(testKit.spawn(JobEntity.create(id, wiring)));
    JobView done = awaitStatus(JobStatus.SUCCEEDED);

    assertThat(output(done)).containsExactlyElementsOf(doubled(45));
    index.awaitAssert(() -> {
      assertThat(chunks.chunks(StoredTaskStarts.blobId(id))).as("the kept task starts, deleted").isZero();
      return null;
    });
  }

  @Test
  void aJobWhoseKeptTaskStartsAreGoneReadsItsInputThroughAgain() {
    restartedWhileTwoTasksAreHeld(() -> chunks.deleteAll(StoredTaskStarts.blobId(id)).toCompletableFuture().join());
  }

  @Test
  void whileItReadsItsInputThroughTheJobSaysHowFar() {
    replica("a", "n1", Mode.ANSWER);
    JobSpec spec = input(230, 50);
    gated.add(spec.input().blobId());

    submit(spec);
    index.awaitAssert(Duration.ofSeconds(10), Duration.ofMillis(50), () -> {
      JobView reading = get();
      assertThat(reading.status()).isEqualTo(JobStatus.QUEUED);
      assertThat(reading.reading()).as("its first chunk read").isEqualTo(new JobView.Reading(1000, spec.input().size()));
      return null;
    });
    gate.complete(null);
    JobView done = awaitStatus(JobStatus.SUCCEEDED);

    assertThat(done.reading()).isNull();
    assertThat(output(done)).containsExactlyElementsOf(doubled(230));
  }

  @Test
  void aTaskAReplicaFailsIsRetriedOnAnotherReplica() {
    Replica broken = replica("broken", "n1", Mode.UNAVAILABLE);
    Replica good = replica("good", "n2", Mode.ANSWER);

    submit(input(100, 10));
    JobView done = awaitStatus(JobStatus.SUCCEEDED);

    assertThat(broken.got()).isNotEmpty();
    assertThat(good.got()).containsAll(broken.got());
    assertThat(done.assignments()).filteredOn(w -> w.replica().equals(broken.id()))
        .singleElement().satisfies(w -> assertThat(w.done()).isZero());
    assertThat(done.assignments()).filteredOn(w -> w.replica().equals(good.id()))
        .singleElement().satisfies(w -> assertThat(w.done()).isEqualTo(10));
    assertThat(output(done)).containsExactlyElementsOf(doubled(100));
    assertThat(Metrics.globalRegistry.get("dcloud.jobs.tasks.retried").counter().count()).isPositive();
  }

  @Test
  void aTaskThatFailsOnEveryAttemptFailsTheJobNamingIt() {
    replica("broken", "n1", Mode.UNAVAILABLE);

    submit(input(20, 10));
    JobView failed = awaitStatus(JobStatus.FAILED);

    assertThat(failed.error()).contains("failed 3 times").contains("dcloud.jobs.max-attempts").contains("NOT_RUNNING");
    assertThat(failed.outputDataset()).isNull();
  }

  @Test
  void afterARestartTheTasksThatWereInFlightAreSentAgainAndTheJobFinishes() {
    restartedWhileTwoTasksAreHeld(() -> { });
  }

  /**
   * A job of 60 records in tasks of 20, stopped while a silent replica holds two tasks, {@code
   * meanwhile} run, and taken up again: it finishes with every task sent again.
   */
  private void restartedWhileTwoTasksAreHeld(Runnable meanwhile) {
    Replica slow = submittedToASilentReplica(60, 20);
    assertThat(get().progress().done()).isZero();

    testKit.stop(job.get());
    assertThat(SnapshotTestKit.create(testKit.system()).persistedInStorage("Job|" + id))
        .as("taken up again from a snapshot").isNotEmpty();
    meanwhile.run();
    slow.mode().set(Mode.ANSWER);
    job.set(testKit.spawn(JobEntity.create(id, wiring)));
    JobView done = awaitStatus(JobStatus.SUCCEEDED);

    assertThat(output(done)).containsExactlyElementsOf(doubled(60));
    assertThat(slow.got()).contains(0, 20, 40);
  }

  @Test
  void whenAMemberLeavesTheClusterTheTasksInFlightAreSentAgainWithoutWaitingForTheirTimeout() {
    Replica lost = submittedToASilentReplica(60, 20);

    // Their messages went with the member (the replica's entity lived there, say), and so do the
    // first ones sent again (its shard has no new home yet); the next ones are answered.
    nodes.removeMember("pekko://dcloud@10.0.0.2:25520");
    index.awaitAssert(Duration.ofSeconds(10), Duration.ofMillis(20), () -> {
      assertThat(lost.got()).as("sent again once at least").hasSizeGreaterThanOrEqualTo(4);
      return null;
    });
    lost.mode().set(Mode.ANSWER);
    JobView done = awaitStatus(JobStatus.SUCCEEDED);

    assertThat(output(done)).containsExactlyElementsOf(doubled(60));
    assertThat(lost.got()).as("the two held sent at least twice more, and the third").contains(0, 20, 40)
        .filteredOn(first -> first == 0).hasSizeGreaterThanOrEqualTo(3);
    assertThat(Metrics.globalRegistry.get("dcloud.jobs.tasks.resent").counter().count()).isGreaterThanOrEqualTo(4);
  }

  @Test
  void theTasksOfAReplicaWhoseNodeIsLostAreSentElsewhereAtOnceAndItGetsNoMore() {
    Replica lost = submittedToASilentReplica(100, 10);
    Replica good = replica("good", "n1", Mode.ANSWER);

    nodes.lose("n2");
    JobView done = awaitStatus(JobStatus.SUCCEEDED);

    assertThat(output(done)).containsExactlyElementsOf(doubled(100));
    assertThat(lost.got()).as("only the two it held when its node was lost").hasSize(2);
    assertThat(good.got()).hasSize(10);
    assertThat(nodes.watching("n1")).as("no watch left behind by the answered tasks").isZero();
  }

  @Test
  void aStoppedJobNoLongerHearsOfRemovedMembers() {
    replica("a", "n1", Mode.ANSWER);
    submit(input(20, 10));
    awaitStatus(JobStatus.SUCCEEDED);
    assertThat(nodes.listeningForRemovals()).isEqualTo(1);

    testKit.stop(job.get());

    index.awaitAssert(() -> {
      assertThat(nodes.listeningForRemovals()).isZero();
      return null;
    });
  }

  @Test
  void cancellingStopsTheJobAndASecondCancelIsAConflict() {
    replica("slow", "n1", Mode.SILENT);
    submit(input(40, 10));

    TestProbe<JobEntity.Reply> probe = testKit.createTestProbe();
    job.get().tell(new JobEntity.Cancel("alice", probe.getRef()));
    JobView cancelled = ((JobEntity.Ok) probe.receiveMessage()).view();
    job.get().tell(new JobEntity.Cancel("alice", probe.getRef()));

    assertThat(cancelled.status()).isEqualTo(JobStatus.CANCELLED);
    assertThat(cancelled.error()).isEqualTo("cancelled by alice");
    assertThat(cancelled.finishedAt()).isNotNull();
    assertThat(probe.receiveMessage()).isInstanceOf(JobEntity.Conflict.class);
    assertThat(awaitStatus(JobStatus.CANCELLED).outputDataset()).isNull();
  }

  @Test
  void aRecordThatIsNotJsonFailsTheJobNamingItsLine() {
    replica("a", "n1", Mode.ANSWER);
    String blobId = UUID.randomUUID().toString();
    BlobStore.StoredBlob stored = Source.single(ByteString.fromString("{\"v\": 0}\n\nnot json\n"))
        .runWith(blobs.write(blobId), testKit.system()).toCompletableFuture().join();
    submit(new JobSpec("iris", "tables/iris/inputs", new DatasetVersion(1, blobId, stored.size(), stored.sha256(),
        "application/x-ndjson", "alice", Instant.now()), 10));

    assertThat(awaitStatus(JobStatus.FAILED).error()).contains("line 3 of the file is not JSON");
  }
}
