package io.dcloud.gateway;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.dcloud.audit.AuditTrail;
import io.dcloud.catalog.CatalogRegistry;
import io.dcloud.dataset.BlobSettings;
import io.dcloud.dataset.ChunkedBlobStore;
import io.dcloud.dataset.DatasetEntity;
import io.dcloud.dataset.DatasetIndex;
import io.dcloud.dataset.DatasetListing;
import io.dcloud.dataset.DatasetWriter;
import io.dcloud.device.DeviceCommands;
import io.dcloud.device.DeviceEraser;
import io.dcloud.device.DeviceRegistry;
import io.dcloud.device.DeviceSecrets;
import io.dcloud.device.RegistryChanged;
import io.dcloud.environment.EnvironmentDirectory;
import io.dcloud.environment.EnvironmentEntity;
import io.dcloud.environment.EnvironmentEvents;
import io.dcloud.environment.EnvironmentSharding;
import io.dcloud.environment.EnvironmentUpdate;
import io.dcloud.environment.FoldedEnvironments;
import io.dcloud.gateway.common.DatasetBackends;
import io.dcloud.gateway.common.DeviceBackends;
import io.dcloud.gateway.common.GatewayBackends;
import io.dcloud.gateway.common.GatewaySettings;
import io.dcloud.gateway.common.JobBackends;
import io.dcloud.gateway.common.ServiceBackends;
import io.dcloud.identity.Passwords;
import io.dcloud.identity.UserRegistry;
import io.dcloud.job.JobEntity;
import io.dcloud.job.JobIndex;
import io.dcloud.journal.JournalBackoff;
import io.dcloud.node.NodeGossip;
import io.dcloud.node.NodeReachability;
import io.dcloud.node.NodeStatus;
import io.dcloud.quota.QuotaLedger;
import io.dcloud.resources.Resources;
import io.dcloud.scheduler.Scheduler;
import io.dcloud.scheduler.SchedulerSettings;
import io.dcloud.secret.SecretBox;
import io.dcloud.service.ServiceEntity;
import io.dcloud.service.ServiceIndex;
import io.dcloud.template.TemplateRegistry;
import io.dcloud.usage.UsageRecords;
import io.dcloud.usage.UsageReports;
import io.dcloud.testing.InMemoryChunkStore;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.actor.typed.pubsub.Topic;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.ddata.LWWMap;
import org.apache.pekko.cluster.ddata.SelfUniqueAddress;
import org.apache.pekko.cluster.ddata.typed.javadsl.DistributedData;
import org.apache.pekko.cluster.ddata.typed.javadsl.Replicator;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.apache.pekko.persistence.testkit.PersistenceTestKitPlugin;
import org.apache.pekko.persistence.testkit.PersistenceTestKitSnapshotPlugin;
import org.apache.pekko.persistence.testkit.javadsl.PersistenceTestKit;
import org.apache.pekko.persistence.testkit.query.javadsl.PersistenceTestKitReadJournal;

/**
 * A one-node cluster with the real actors behind the gateway — environment entities (sharded,
 * event sourced on the in-memory journal), the scheduler, the registries, the directory following
 * the journal, the update topic — and the gateway bound to a free port on 127.0.0.1. No worker
 * node exists, so environments wait in the scheduler's queue. Public for the cli module's tests (test-jar).
 */
public final class GatewayTestCluster implements AutoCloseable {

  /** Short, so the test of a silent backend does not wait long; the real actors answer in milliseconds. */
  public static final Duration ASK_TIMEOUT = Duration.ofSeconds(3);

  private static final Duration START_TIMEOUT = Duration.ofSeconds(20);

  /** The first admin's password, as DCLOUD_ADMIN_PASSWORD would give it. */
  public static final String ADMIN_PASSWORD = "test-admin-password";

  public final ActorTestKit testKit;
  public final GatewayBackends backends;
  /** Where the gateway's dataset blobs are: in memory. */
  public final InMemoryChunkStore chunks = new InMemoryChunkStore();
  public final ActorRef<UserRegistry.Command> users;
  /** The devices' readings store and live feed: in memory. */
  public final InMemoryReadings readings = new InMemoryReadings();
  final ServerBinding binding;
  public final URI base;
  /** The registry behind the device routes, its change topic and its broker passwords: what BrokerAccess follows. */
  public final ActorRef<DeviceRegistry.Command> deviceRegistry;
  public final ActorRef<Topic.Command<RegistryChanged>> registryChanges;
  public final DeviceSecrets deviceSecrets = new DeviceSecrets(SecretBox.throwaway());

  public GatewayTestCluster(String name) throws Exception {
    this(name, Map.of());
  }

  /** {@code overrides}: settings over the test cluster's own (e.g. a real broker's dcloud.broker.*). */
  public GatewayTestCluster(String name, Map<String, ?> overrides) throws Exception {
    Config config = ConfigFactory.parseMap(overrides).withFallback(ConfigFactory.parseString("""
            pekko.actor.provider = cluster
            pekko.remote.artery.canonical.hostname = "127.0.0.1"
            pekko.remote.artery.canonical.port = 0
            pekko.cluster.jmx.multi-mbeans-in-same-jvm = on
            pekko.cluster.downing-provider-class = "org.apache.pekko.cluster.sbr.SplitBrainResolverProvider"
            # As the app's nodes: shards on servers only, so a client member (ClientServiceTest) hosts none.
            pekko.cluster.roles = ["server"]
            pekko.cluster.sharding.role = "server"
            pekko.actor.serialize-messages = on
            pekko.loggers = ["org.apache.pekko.event.slf4j.Slf4jLogger"]
            pekko.logging-filter = "org.apache.pekko.event.slf4j.Slf4jLoggingFilter"
            pekko.loglevel = INFO
            dcloud.http.port = 0
            dcloud.http.proxy.port = 0
            # A one-node cluster leaves (sharding hand-off, singletons) before it stops: on a loaded
            # two-core CI machine that can pass the test kit's 10 s default.
            pekko.actor.testkit.typed.system-shutdown-default = 30s
            dcloud.ask-timeout = %ds
            # Every user made and every sign-in hashes a password: at the shipped cost (OWASP's Argon2id
            # minimum) that is a core's tens of milliseconds each, and the gateway's tests make
            # thousands. What a hash costs proves nothing here (identity's tests hash at the shipped
            # cost); the same Argon2id at its cheapest keeps the hashing, checks and throttling real.
            dcloud.identity.password-hash { memory-kib = 64, iterations = 1 }
            # Small enough for DatasetApiTest to pass it.
            dcloud.datasets.max-size = 8MiB
            # Small enough for AppApiTest to pass them.
            dcloud.apps.max-size = 1MiB
            dcloud.apps.max-expanded-size = 2MiB
            """.formatted(ASK_TIMEOUT.toSeconds())))
        .withFallback(PersistenceTestKitPlugin.getInstance().config())
        .withFallback(PersistenceTestKitSnapshotPlugin.config())
        .withFallback(ConfigFactory.load());
    testKit = ActorTestKit.create(name, config);
    ActorSystem<Void> system = testKit.system();
    Config resolved = system.settings().config();

    Cluster cluster = Cluster.get(system);
    cluster.manager().tell(Join.create(cluster.selfMember().address()));
    testKit.createTestProbe().awaitAssert(START_TIMEOUT, () -> {
      if (cluster.selfMember().status() != MemberStatus.up()) {
        throw new AssertionError("not up yet: " + cluster.selfMember().status());
      }
      return null;
    });

    ActorRef<Topic.Command<EnvironmentUpdate>> updates =
        testKit.spawn(Topic.create(EnvironmentUpdate.class, EnvironmentUpdate.TOPIC_NAME), "updates");
    ActorRef<Topic.Command<EnvironmentEntity.Persisted>> events =
        testKit.spawn(Topic.create(EnvironmentEntity.Persisted.class, EnvironmentEntity.EVENTS_TOPIC), "events");
    ActorRef<Scheduler.Command> scheduler =
        testKit.spawn(Scheduler.create(SchedulerSettings.fromConfig(resolved), EnvironmentSharding.answersVia(system)), "scheduler");
    EnvironmentSharding.init(
        system, scheduler, updates, events, EnvironmentSharding.Settings.fromConfig(resolved), ServiceEntity.replicaChanges(system));
    ActorRef<CatalogRegistry.Command> catalog = testKit.spawn(CatalogRegistry.create(JournalBackoff.fromConfig(resolved)), "catalog");
    ActorRef<TemplateRegistry.Command> templates = testKit.spawn(TemplateRegistry.create(JournalBackoff.fromConfig(resolved)), "templates");
    FoldedEnvironments folded = new FoldedEnvironments();
    ActorRef<EnvironmentDirectory.Command> directory = testKit.spawn(EnvironmentDirectory.create(
        PersistenceTestKitReadJournal.Identifier(), events, Duration.ofMinutes(1), Duration.ofMinutes(1), folded), "directory");

    AuditTrail.init(system, JournalBackoff.fromConfig(resolved));
    users = testKit.spawn(UserRegistry.create(JournalBackoff.fromConfig(resolved), Clock.systemUTC()), "users");
    ActorRef<QuotaLedger.Command> quotas = testKit.spawn(
        QuotaLedger.create(directory, Duration.ofSeconds(30), ASK_TIMEOUT, Clock.systemUTC()), "quotas");
    UserRegistry.Reply bootstrapped = AskPattern.<UserRegistry.Command, UserRegistry.Reply>ask(users,
            replyTo -> new UserRegistry.Bootstrap(Passwords.fromConfig(resolved).hash(ADMIN_PASSWORD), replyTo),
            START_TIMEOUT, system.scheduler())
        .toCompletableFuture().get(START_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    if (!(bootstrapped instanceof UserRegistry.Bootstrapped)) {
      throw new IllegalStateException("the admin was not created: " + bootstrapped);
    }

    DatasetEntity.init(system, JournalBackoff.fromConfig(resolved));
    ActorRef<DatasetIndex.Command> datasetIndex =
        testKit.spawn(DatasetIndex.create(JournalBackoff.fromConfig(resolved)), "dataset-index");
    DatasetBackends datasets = new DatasetBackends(ClusterSharding.get(system), datasetIndex,
        new DatasetListing(system, datasetIndex, PersistenceTestKitReadJournal.Identifier(), ASK_TIMEOUT),
        new ChunkedBlobStore(chunks, BlobSettings.fromConfig(resolved)));
    ActorRef<ServiceIndex.Command> serviceIndex = testKit.spawn(
        ServiceIndex.create(JournalBackoff.fromConfig(resolved), service -> ServiceEntity.wake(system, service),
            ServiceIndex.Waking.fromConfig(resolved, NodeReachability.get(system))), "service-index");
    ServiceEntity.init(system, serviceIndex, ServiceEntity.Settings.fromConfig(resolved));
    PersistenceTestKit journal = PersistenceTestKit.create(system);
    ActorRef<JobIndex.Command> jobIndex = testKit.spawn(JobIndex.create(JournalBackoff.fromConfig(resolved),
        JobIndex.Waking.fromConfig(resolved, NodeReachability.get(system)), job -> JobEntity.wake(system, job),
        job -> JobEntity.stop(system, job),
        JobIndex.Collection.fromConfig(resolved, persistenceId -> {
          journal.clearByPersistenceId(persistenceId);
          return CompletableFuture.completedFuture(null);
        })), "job-index");
    JobEntity.init(system, JobEntity.wiring(system, datasets.blobs(), new DatasetWriter(system, datasets.entities(),
        datasetIndex, datasets.blobs(), ASK_TIMEOUT), jobIndex, JobEntity.Settings.fromConfig(resolved)));
    registryChanges = testKit.spawn(Topic.create(RegistryChanged.class, RegistryChanged.TOPIC_NAME), "registry-changes");
    // Device commands' entities are started by the tests that command (DeviceCommands.init); until
    // then a deleted device's erasure fails at its commands and is tried again.
    deviceRegistry = testKit.spawn(DeviceRegistry.create(JournalBackoff.fromConfig(resolved), registryChanges,
        DeviceEraser.of(readings, id -> ClusterSharding.get(system).entityRefFor(DeviceCommands.TYPE_KEY, id), ASK_TIMEOUT)),
        "devices");
    DeviceBackends devices = new DeviceBackends(deviceRegistry,
        id -> ClusterSharding.get(system).entityRefFor(DeviceCommands.TYPE_KEY, id), readings, readings,
        deviceSecrets, DeviceBackends.brokerUrl(resolved));
    backends = new GatewayBackends(ClusterSharding.get(system), scheduler, catalog, templates, directory, folded, updates, users,
        quotas, datasets, new ServiceBackends(ClusterSharding.get(system), serviceIndex),
        new JobBackends(ClusterSharding.get(system), jobIndex), devices,
        new UsageReports(UsageRecords.init(system, resolved, PersistenceTestKitReadJournal.Identifier()), folded));
    binding = start(backends);
    base = uri(binding);
  }

  /**
   * An environment of {@code owner} whose container ran from {@code from} until it was stopped at
   * {@code to} (no worker runs here): its events are written to the journal and told to the
   * directory, as its entity would have. Answers its id.
   */
  public String seedUsage(String owner, String name, Instant from, Instant to, long milliCpus, long memoryBytes) {
    String id = UUID.randomUUID().toString();
    List<EnvironmentEntity.Event> events =
        EnvironmentEvents.ran(name, owner, new Resources(milliCpus, memoryBytes, 0, 0, null), from, to);
    PersistenceTestKit.create(testKit.system()).persistForRecovery(EnvironmentSharding.persistenceId(id),
        List.<Object>copyOf(events));
    for (int i = 0; i < events.size(); i++) {
      backends.directory().tell(new EnvironmentDirectory.Apply(id, i + 1, events.get(i)));
    }
    return id;
  }

  /** Another gateway on the same cluster (e.g. with a backend swapped for a silent probe). */
  public ServerBinding start(GatewayBackends otherBackends) throws Exception {
    return start(otherBackends, settings());
  }

  /** Another gateway with other settings (e.g. a smaller limit of creates in flight). */
  public ServerBinding start(GatewayBackends otherBackends, GatewaySettings settings) throws Exception {
    return HttpGateway.start(testKit.system(), otherBackends, settings)
        .toCompletableFuture()
        .get(START_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
  }

  /**
   * Gossips {@code status} as a worker would (no worker runs here), as of now and from this
   * cluster's one member, so the scheduler counts it as up.
   */
  public void gossip(String nodeId, Resources capacity, Map<String, String> labels) {
    ActorSystem<Void> system = testKit.system();
    String member = NodeGossip.memberId(Cluster.get(system).selfMember().uniqueAddress());
    NodeStatus status = new NodeStatus(nodeId, "host-" + nodeId, capacity, List.of(), NodeStatus.Usage.NONE, labels, true,
        "20.10", null, Instant.now(), member);
    SelfUniqueAddress self = DistributedData.get(system).selfUniqueAddress();
    TestProbe<Replicator.UpdateResponse<LWWMap<String, NodeStatus>>> written = testKit.createTestProbe();
    DistributedData.get(system).replicator().tell(new Replicator.Update<>(
        NodeGossip.keyFor(nodeId), LWWMap.empty(), Replicator.writeLocal(), written.getRef(),
        map -> map.put(self, nodeId, status)));
    written.expectMessageClass(Replicator.UpdateSuccess.class, START_TIMEOUT);
  }

  /** The cluster's actor system: e.g. to start DeviceCommands' entities with the test's sender. */
  public ActorSystem<Void> system() {
    return testKit.system();
  }

  public GatewaySettings settings() {
    return GatewaySettings.fromConfig(testKit.system().settings().config());
  }

  public static URI uri(ServerBinding binding) {
    return URI.create("http://127.0.0.1:" + binding.localAddress().getPort());
  }

  @Override
  public void close() {
    // Close the clients' kept-alive connections first: open ones hold the actor system's shutdown.
    try {
      binding.terminate(Duration.ofSeconds(2)).toCompletableFuture().get(START_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException("the gateway under test did not stop", e);
    } finally {
      testKit.shutdownTestKit();
    }
  }
}
