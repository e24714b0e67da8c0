package io.dcloud.app;

import com.typesafe.config.Config;
import io.dcloud.audit.AuditTrail;
import io.dcloud.catalog.CatalogRegistry;
import io.dcloud.dataset.DatasetEntity;
import io.dcloud.dataset.DatasetIndex;
import io.dcloud.deploy.ContainerRuntime;
import io.dcloud.deploy.DockerRuntime;
import io.dcloud.device.DeviceRegistry;
import io.dcloud.device.ReadingStore;
import io.dcloud.device.RegistryChanged;
import io.dcloud.environment.DeletedEnvironmentCollector;
import io.dcloud.environment.EnvironmentDirectory;
import io.dcloud.environment.EnvironmentSharding;
import io.dcloud.environment.EnvironmentWaking;
import io.dcloud.environment.EnvironmentEntity;
import io.dcloud.environment.EnvironmentUpdate;
import io.dcloud.environment.EnvironmentsForNodes;
import io.dcloud.environment.FoldedEnvironments;
import io.dcloud.environment.ShardWarmUp;
import io.dcloud.gateway.HttpGateway;
import io.dcloud.gateway.common.GatewayBackends;
import io.dcloud.gateway.common.JobBackends;
import io.dcloud.gateway.common.ServiceBackends;
import io.dcloud.identity.UserRegistry;
import io.dcloud.job.JobEntity;
import io.dcloud.job.JobIndex;
import io.dcloud.journal.JournalBackoff;
import io.dcloud.journal.OverloadReport;
import io.dcloud.metrics.ClusterGauges;
import io.dcloud.metrics.EngineWatch;
import io.dcloud.metrics.ManagementServer;
import io.dcloud.metrics.ManagementSettings;
import io.dcloud.metrics.NodeMetrics;
import io.dcloud.metrics.Readiness;
import io.dcloud.node.BrokerRelay;
import io.dcloud.node.DatasetCache;
import io.dcloud.node.DatasetMounts;
import io.dcloud.node.HollowNodes;
import io.dcloud.node.LocalNode;
import io.dcloud.node.MachineProfile;
import io.dcloud.node.NodeActor;
import io.dcloud.node.NodePeers;
import io.dcloud.node.NodeReachability;
import io.dcloud.node.NodeSettings;
import io.dcloud.persistence.CassandraCredentials;
import io.dcloud.persistence.CassandraJournalEraser;
import io.dcloud.persistence.CassandraSchema;
import io.dcloud.quota.QuotaLedger;
import io.dcloud.usage.UsageRecords;
import io.dcloud.usage.UsageReports;
import io.dcloud.scheduler.Scheduler;
import io.dcloud.scheduler.SchedulerSettings;
import io.dcloud.service.ServiceEntity;
import io.dcloud.service.ServiceIndex;
import io.dcloud.template.TemplateRegistry;
import io.dcloud.tls.ClusterTls;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.pekko.actor.NoSerializationVerificationNeeded;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.BackoffSupervisorStrategy;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.pubsub.Topic;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.ClusterSingleton;
import org.apache.pekko.cluster.typed.ClusterSingletonSettings;
import org.apache.pekko.cluster.typed.Join;
import org.apache.pekko.cluster.typed.SingletonActor;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One DCloud process: joins the cluster and starts what its roles ask for — {@code control} (the
 * scheduler, catalog and template singletons), {@code gateway} (the HTTP API and the read side),
 * {@code worker} (a NodeActor over the local Docker Engine). Environment entities are sharded
 * across every node ({@link ServerRole}); members with the role {@code client} (other services) host nothing.
 */
public final class DCloudNode implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(DCloudNode.class);
  public static final String ROLE_CONTROL = "control";
  public static final String ROLE_GATEWAY = "gateway";
  public static final String ROLE_WORKER = "worker";

  private final ActorSystem<?> system;
  private final CompletableFuture<ServerBinding> binding;
  private final CompletableFuture<ActorRef<Scheduler.Command>> scheduler;
  private final CompletionStage<ServerBinding> management;
  private final NodeMetrics metrics;

  private DCloudNode(ActorSystem<?> system, Started started, CompletionStage<ServerBinding> management) {
    this.system = system;
    this.binding = started.binding();
    this.scheduler = started.scheduler();
    this.management = management;
    this.metrics = started.metrics();
  }

  /**
   * Starts a node from a complete configuration (application.conf, flags and overrides resolved),
   * with remoting over TLS ({@link ClusterTls}) and logged in to Cassandra ({@link CassandraCredentials}).
   */
  public static DCloudNode start(Config resolved) {
    Config config = ServerRole.added(CassandraCredentials.fromConfig(resolved).applyTo(ClusterTls.configure(resolved)));
    CompletableFuture<ServerBinding> binding = new CompletableFuture<>();
    CompletableFuture<ActorRef<Scheduler.Command>> scheduler = new CompletableFuture<>();
    List<String> roles = config.getStringList("pekko.cluster.roles");
    boolean engine = roles.contains(ROLE_WORKER) && !HollowNodes.Settings.fromConfig(config).enabled();
    Readiness readiness = new Readiness(roles.contains(ROLE_GATEWAY) ? binding : null, engine);
    Started started = new Started(binding, scheduler, NodeMetrics.start(), readiness);
    ActorSystem<?> system = ActorSystem.create(guardian(config, started), config.getString("dcloud.cluster.name"), config);
    CompletionStage<ServerBinding> management =
        ManagementServer.start(system, ManagementSettings.fromConfig(config), started.metrics(), readiness);
    return new DCloudNode(system, started, management);
  }

  /** The guardian first makes sure the Cassandra schema exists, then starts what the roles ask for. */
  private sealed interface Startup extends NoSerializationVerificationNeeded {}

  private record SchemaReady() implements Startup {}

  private record SchemaFailed(Throwable cause) implements Startup {}

  private enum CreateSchema implements Startup { INSTANCE }

  /** Completed as the node's services come up; the metrics and readiness they report to. */
  private record Started(
      CompletableFuture<ServerBinding> binding,
      CompletableFuture<ActorRef<Scheduler.Command>> scheduler,
      NodeMetrics metrics,
      Readiness readiness) {}

  private static Behavior<Startup> guardian(Config config, Started started) {
    return Behaviors.setup(context -> Behaviors.withTimers(timers -> {
      Cluster cluster = Cluster.get(context.getSystem());
      if (config.getStringList("pekko.cluster.seed-nodes").isEmpty()) {
        // No seeds: this node founds its own cluster (the one-machine `dcloud dev`).
        cluster.manager().tell(Join.create(cluster.selfMember().address()));
      }
      if (!config.getBoolean("dcloud.cassandra.create-schema")) {
        startServices(context, config, started);
        return Behaviors.empty();
      }
      context.getSelf().tell(CreateSchema.INSTANCE);
      Duration retry = config.getDuration("dcloud.journal-failure-backoff.max-backoff");
      return Behaviors.receive(Startup.class)
          .onMessageEquals(CreateSchema.INSTANCE, () -> {
            context.pipeToSelf(CassandraSchema.create(context.getSystem())
                    .thenCompose(journal -> DatasetWiring.createSchema(context.getSystem(), config))
                    .thenCompose(datasets -> DeviceWiring.createSchema(context.getSystem(), config)),
                (done, failure) -> failure == null ? new SchemaReady() : new SchemaFailed(failure));
            return Behaviors.same();
          })
          .onMessage(SchemaFailed.class, failed -> {
            LOG.warn("Cannot create the Cassandra schema yet ({}); trying again in {}", failed.cause().getMessage(), retry);
            timers.startSingleTimer(CreateSchema.INSTANCE, retry);
            return Behaviors.same();
          })
          .onMessage(SchemaReady.class, ready -> {
            startServices(context, config, started);
            return Behaviors.empty();
          })
          .build();
    }));
  }

  private static void startServices(ActorContext<?> context, Config config, Started started) {
    CompletableFuture<ServerBinding> binding = started.binding();
    ActorSystem<?> system = context.getSystem();
    List<String> roles = config.getStringList("pekko.cluster.roles");
    ActorRef<Topic.Command<EnvironmentUpdate>> updates =
        context.spawn(Topic.create(EnvironmentUpdate.class, EnvironmentUpdate.TOPIC_NAME), "environment-updates");
    ActorRef<Topic.Command<EnvironmentEntity.Persisted>> events = context.spawn(
        Topic.create(EnvironmentEntity.Persisted.class, EnvironmentEntity.EVENTS_TOPIC), "environment-events");
    context.spawn(OverloadReport.create(config), "overload-report");
    BackoffSupervisorStrategy backoff = JournalBackoff.fromConfig(config);
    ActorRef<Scheduler.Command> scheduler = singleton(
        system, Scheduler.create(SchedulerSettings.fromConfig(config), EnvironmentSharding.answersVia(system)), "scheduler", backoff);
    started.scheduler().complete(scheduler);
    ActorRef<CatalogRegistry.Command> catalog =
        singleton(system, CatalogRegistry.create(backoff), "catalog", backoff);
    ActorRef<TemplateRegistry.Command> templates =
        singleton(system, TemplateRegistry.create(backoff), "templates", backoff);
    EnvironmentSharding.init(system, scheduler, updates, events, EnvironmentSharding.Settings.fromConfig(config),
        ServiceEntity.replicaChanges(system));
    singleton(system, ShardWarmUp.create(ShardWarmUp.Settings.fromConfig(config)), "environment-shard-warm-up", backoff);
    AuditTrail.init(system, JournalBackoff.forManyFromConfig(config));
    ActorRef<UserRegistry.Command> users =
        singleton(system, UserRegistry.create(backoff, Clock.systemUTC()), "users", backoff);
    DatasetEntity.init(system, JournalBackoff.forManyFromConfig(config));
    ActorRef<DatasetIndex.Command> datasetIndex = singleton(system, DatasetIndex.create(backoff), "dataset-index", backoff);
    ActorRef<ServiceIndex.Command> serviceIndex = singleton(
        system, ServiceIndex.create(backoff, name -> ServiceEntity.wake(system, name),
            ServiceIndex.Waking.fromConfig(config, NodeReachability.get(system))), "service-index", backoff);
    ServiceEntity.init(system, serviceIndex, ServiceEntity.Settings.fromConfig(config));
    UsageRecords usage = UsageRecords.init(system, config, config.getString("dcloud.read-side.journal-plugin"));
    ActorRef<JobIndex.Command> jobIndex = singleton(system, JobIndex.create(backoff,
        JobIndex.Waking.fromConfig(config, NodeReachability.get(system)), id -> JobEntity.wake(system, id),
        id -> JobEntity.stop(system, id),
        JobIndex.Collection.fromConfig(config, CassandraJournalEraser.create(system))), "job-index", backoff);
    DatasetWiring.startJobs(system, config, datasetIndex, jobIndex);
    ActorRef<Topic.Command<RegistryChanged>> deviceChanges =
        DeviceWiring.startOnEveryNode(context, config, started.metrics().registry());
    ReadingStore readings = DeviceWiring.readings(system, config);
    ActorRef<DeviceRegistry.Command> deviceRegistry = singleton(system,
        DeviceRegistry.create(backoff, deviceChanges, DeviceWiring.eraser(system, config, readings)), "device-registry", backoff);
    DeviceWiring.access(config, deviceRegistry, deviceChanges)
        .ifPresent(access -> singleton(system, access, "broker-access", backoff));

    if (roles.contains(ROLE_WORKER)) {
      startWorker(context, config, scheduler, updates, started.readiness());
    }
    boolean gateway = roles.contains(ROLE_GATEWAY);
    if (!gateway && !roles.contains(ROLE_CONTROL)) {
      startGauges(context, config, started, scheduler, null);
      binding.cancel(false);
      return;
    }
    // The read side: the gateway's lists, and the usage the quota ledger counts (wherever it runs).
    FoldedEnvironments folded = new FoldedEnvironments();
    ActorRef<EnvironmentDirectory.Command> directory = context.spawn(
        EnvironmentDirectory.create(config.getString("dcloud.read-side.journal-plugin"), events,
            config.getDuration("dcloud.read-side.refresh-interval"),
            config.getDuration("dcloud.read-side.full-refresh-interval"), folded), "environment-directory");
    startGauges(context, config, started, scheduler, directory);
    collectDeletedEnvironments(system, config, folded, directory, usage, backoff);
    singleton(system, EnvironmentWaking.create(EnvironmentWaking.Settings.fromConfig(config), folded,
        NodeReachability.get(system), id -> EnvironmentSharding.wake(system, id), Clock.systemUTC()),
        "environment-waking", backoff);
    ActorRef<QuotaLedger.Command> quotas = singleton(system, QuotaLedger.create(directory,
        config.getDuration("dcloud.quota.pending-timeout"), config.getDuration("dcloud.ask-timeout"), Clock.systemUTC()),
        "quotas", backoff);
    if (!gateway) {
      binding.cancel(false);
      return;
    }
    GatewayBackends backends = new GatewayBackends(ClusterSharding.get(system), scheduler, catalog, templates, directory,
        folded, updates, users, quotas, DatasetWiring.forGateway(context, config, datasetIndex),
        new ServiceBackends(ClusterSharding.get(system), serviceIndex), new JobBackends(ClusterSharding.get(system), jobIndex),
        DeviceWiring.forGateway(context, config, LocalNode.id(config), started.metrics().registry(),
            deviceRegistry, deviceChanges, readings),
        new UsageReports(usage, folded));
    AdminBootstrap.run(system, users, config)
        .thenCompose(done -> HttpGateway.start(system, backends))
        .whenComplete((bound, failure) -> {
          if (failure != null) {
            binding.completeExceptionally(failure);
            system.terminate();
          } else {
            binding.complete(bound);
          }
        });
  }

  /**
   * Where the read side runs: the collector reads it (see DeletedEnvironmentCollector), and archives
   * each environment's usage before it erases its events.
   */
  private static void collectDeletedEnvironments(ActorSystem<?> system, Config config, FoldedEnvironments folded,
      ActorRef<EnvironmentDirectory.Command> directory, UsageRecords usage, BackoffSupervisorStrategy backoff) {
    DeletedEnvironmentCollector.Settings settings = DeletedEnvironmentCollector.Settings.fromConfig(config);
    if (!settings.enabled()) {
      return;
    }
    ClusterSharding sharding = ClusterSharding.get(system);
    singleton(system, DeletedEnvironmentCollector.create(settings, folded, directory, usage::keep,
            CassandraJournalEraser.create(system),
            id -> sharding.entityRefFor(EnvironmentEntity.TYPE_KEY, id).tell(new EnvironmentEntity.Passivate()),
            Clock.systemUTC()),
        "deleted-environment-collector", backoff);
  }

  private static void startWorker(
      ActorContext<?> context,
      Config config,
      ActorRef<Scheduler.Command> scheduler,
      ActorRef<Topic.Command<EnvironmentUpdate>> updates,
      Readiness readiness) {
    NodeSettings settings = NodeSettings.fromConfig(config, LocalNode.hostname());
    NodePeers peers = new EnvironmentsForNodes(context.getSystem(), scheduler, updates, settings.askTimeout());
    HollowNodes.Settings hollow = HollowNodes.Settings.fromConfig(config);
    if (hollow.enabled()) {
      HollowNodes.spawn(context, hollow, settings, peers);
      return;
    }
    ContainerRuntime runtime = DockerRuntime.create(config.getConfig("dcloud.deploy"));
    // Asked now and then again, off the actors' threads: whether this worker is ready (see Readiness).
    EngineWatch.start(runtime, readiness, context.getSystem().scheduler(),
        context.getSystem().dispatchers().lookup(DispatcherSelector.blocking()),
        ManagementSettings.fromConfig(config).engineCheckInterval());
    BrokerRelay.start(context.getSystem(), settings.nodeId(), BrokerRelay.Settings.fromConfig(config), runtime);
    MachineProfile machine = MachineProfile.measure(settings, runtime.info());
    DatasetMounts datasets = DatasetCache.create(settings.nodeId(), config,
        id -> DatasetEntity.ref(ClusterSharding.get(context.getSystem()), id),
        DatasetWiring.blobStore(context.getSystem(), config), context.getSystem(), runtime);
    context.spawn(NodeActor.create(settings, runtime, machine, peers, datasets), "node");
    context.getSystem().getWhenTerminated().whenComplete((done, failure) -> runtime.close());
  }

  private static void startGauges(ActorContext<?> context, Config config, Started started,
      ActorRef<Scheduler.Command> scheduler, ActorRef<EnvironmentDirectory.Command> directory) {
    context.spawn(ClusterGauges.create(started.metrics().registry(),
        ManagementSettings.fromConfig(config).refreshInterval(), scheduler, directory), "cluster-gauges");
  }

  /**
   * A singleton that fails is restarted (with backoff), whatever the failure: the singleton manager
   * does not start a stopped singleton again, so one unexpected exception would otherwise leave the
   * cluster without it until the node restarts. (Journal failures are already restarted within:
   * see JournalBackoff.)
   */
  private static <T> ActorRef<T> singleton(
      ActorSystem<?> system, Behavior<T> behavior, String name, BackoffSupervisorStrategy backoff) {
    ClusterSingletonSettings settings = ClusterSingletonSettings.create(system).withRole(ROLE_CONTROL);
    Behavior<T> restarted = Behaviors.supervise(behavior).onFailure(Exception.class, backoff);
    return ClusterSingleton.get(system).init(SingletonActor.of(restarted, name).withSettings(settings));
  }

  public ActorSystem<?> system() {
    return system;
  }

  /** The scheduler singleton's proxy, once the schema exists and the node's services started. */
  public CompletionStage<ActorRef<Scheduler.Command>> scheduler() {
    return scheduler;
  }

  /** Completes when the API listens (or fails to); cancelled on nodes without the gateway role. */
  public CompletionStage<ServerBinding> binding() {
    return binding;
  }

  /** The management port's binding: /metrics, /ready, /alive (see {@link ManagementServer}). */
  public CompletionStage<ServerBinding> management() {
    return management;
  }

  /** Leaves the cluster and stops; containers keep running (a later start adopts them). */
  @Override
  public void close() {
    system.terminate();
    Duration timeout = system.settings().config().getDuration("dcloud.node.terminate-timeout");
    try {
      system.getWhenTerminated().toCompletableFuture().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException notTerminated) {
      // Stopping anyway: a process that cannot stop is worse than one whose remoting did not flush.
      LOG.warn("DCloud node's actor system did not terminate within {} s (dcloud.node.terminate-timeout): "
          + "stopping without it", timeout.toSeconds());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException e) {
      LOG.warn("DCloud node's actor system failed to terminate", e.getCause());
    }
    metrics.close();
    LOG.info("DCloud node stopped");
  }
}
