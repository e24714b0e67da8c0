package io.dcloud.app;

import com.typesafe.config.Config;
import io.dcloud.catalog.CatalogRegistry;
import io.dcloud.deploy.ContainerRuntime;
import io.dcloud.deploy.DockerRuntime;
import io.dcloud.environment.EnvironmentDirectory;
import io.dcloud.environment.EnvironmentEntity;
import io.dcloud.environment.EnvironmentUpdate;
import io.dcloud.gateway.GatewayBackends;
import io.dcloud.gateway.HttpGateway;
import io.dcloud.node.MachineProfile;
import io.dcloud.node.NodeActor;
import io.dcloud.node.NodeSettings;
import io.dcloud.scheduler.Scheduler;
import io.dcloud.template.TemplateRegistry;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
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
import org.apache.pekko.stream.RestartSettings;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One DCloud process: joins the cluster and starts what its roles ask for — {@code control} (the
 * scheduler, catalog and template singletons), {@code gateway} (the HTTP API and the read side),
 * {@code worker} (a NodeActor over the local Docker Engine). Environment entities are sharded
 * across every node.
 */
public final class DCloudNode implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(DCloudNode.class);
  public static final String ROLE_CONTROL = "control";
  public static final String ROLE_GATEWAY = "gateway";
  public static final String ROLE_WORKER = "worker";

  private final ActorSystem<Void> system;
  private final CompletableFuture<ServerBinding> binding;

  private DCloudNode(ActorSystem<Void> system, CompletableFuture<ServerBinding> binding) {
    this.system = system;
    this.binding = binding;
  }

  /** Starts a node from a complete configuration (application.conf, flags and overrides resolved). */
  public static DCloudNode start(Config config) {
    CompletableFuture<ServerBinding> binding = new CompletableFuture<>();
    ActorSystem<Void> system = ActorSystem.create(guardian(config, binding), config.getString("dcloud.cluster.name"), config);
    return new DCloudNode(system, binding);
  }

  private static Behavior<Void> guardian(Config config, CompletableFuture<ServerBinding> binding) {
    return Behaviors.setup(context -> {
      ActorSystem<Void> system = context.getSystem();
      Cluster cluster = Cluster.get(system);
      if (config.getStringList("pekko.cluster.seed-nodes").isEmpty()) {
        // No seeds: this node founds its own cluster (the one-machine `dcloud dev`).
        cluster.manager().tell(Join.create(cluster.selfMember().address()));
      }
      List<String> roles = config.getStringList("pekko.cluster.roles");
      ActorRef<Topic.Command<EnvironmentUpdate>> updates =
          context.spawn(Topic.create(EnvironmentUpdate.class, EnvironmentUpdate.TOPIC_NAME), "environment-updates");
      ActorRef<Scheduler.Command> scheduler = singleton(context, Scheduler.create(
          Scheduler.Settings.fromConfig(config.getConfig("dcloud.scheduler"))), "scheduler");
      ActorRef<CatalogRegistry.Command> catalog =
          singleton(context, CatalogRegistry.create(), "catalog");
      ActorRef<TemplateRegistry.Command> templates =
          singleton(context, TemplateRegistry.create(), "templates");
      EnvironmentEntity.init(system, scheduler, updates,
          EnvironmentEntity.Settings.fromConfig(config.getConfig("dcloud.environment")));

      if (roles.contains(ROLE_WORKER)) {
        startWorker(context, config, scheduler, updates);
      }
      if (roles.contains(ROLE_GATEWAY)) {
        ActorRef<EnvironmentDirectory.Command> directory = context.spawn(EnvironmentDirectory.create(), "environment-directory");
        EnvironmentDirectory.follow(system, config.getString("dcloud.read-side.journal-plugin"), directory, restartSettings(config));
        GatewayBackends backends = new GatewayBackends(
            ClusterSharding.get(system), scheduler, catalog, templates, directory, updates);
        HttpGateway.start(system, backends).whenComplete((bound, failure) -> {
          if (failure != null) {
            binding.completeExceptionally(failure);
            system.terminate();
          } else {
            binding.complete(bound);
          }
        });
      } else {
        binding.cancel(false);
      }
      return Behaviors.empty();
    });
  }

  private static void startWorker(
      ActorContext<Void> context,
      Config config,
      ActorRef<Scheduler.Command> scheduler,
      ActorRef<Topic.Command<EnvironmentUpdate>> updates) {
    NodeSettings settings = NodeSettings.fromConfig(config, hostname());
    ContainerRuntime runtime = DockerRuntime.create(config.getConfig("dcloud.deploy"));
    MachineProfile machine = MachineProfile.measure(settings);
    context.spawn(NodeActor.create(settings, runtime, machine, scheduler, updates), "node");
    context.getSystem().getWhenTerminated().whenComplete((done, failure) -> runtime.close());
  }

  private static <T> ActorRef<T> singleton(ActorContext<Void> context, Behavior<T> behavior, String name) {
    ClusterSingletonSettings settings = ClusterSingletonSettings.create(context.getSystem()).withRole(ROLE_CONTROL);
    return ClusterSingleton.get(context.getSystem()).init(SingletonActor.of(behavior, name).withSettings(settings));
  }

  private static RestartSettings restartSettings(Config config) {
    Config c = config.getConfig("dcloud.read-side.restart");
    return RestartSettings.create(c.getDuration("min-backoff"), c.getDuration("max-backoff"), c.getDouble("random-factor"));
  }

  private static String hostname() {
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (UnknownHostException e) {
      return "localhost";
    }
  }

  public ActorSystem<Void> system() {
    return system;
  }

  /** Completes when the API listens (or fails to); cancelled on nodes without the gateway role. */
  public CompletionStage<ServerBinding> binding() {
    return binding;
  }

  /** Leaves the cluster and stops; containers keep running (a later start adopts them). */
  @Override
  public void close() {
    system.terminate();
    system.getWhenTerminated().toCompletableFuture().join();
    LOG.info("DCloud node stopped");
  }

  public void awaitTermination(Duration timeout) throws Exception {
    system.getWhenTerminated().toCompletableFuture().get(timeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
  }
}
