package io.dcloud.app;

import com.typesafe.config.Config;
import io.dcloud.dataset.BlobSettings;
import io.dcloud.dataset.BlobStore;
import io.dcloud.dataset.ChunkedBlobStore;
import io.dcloud.dataset.DatasetEntity;
import io.dcloud.dataset.DatasetIndex;
import io.dcloud.dataset.DatasetJanitor;
import io.dcloud.dataset.DatasetListing;
import io.dcloud.dataset.DatasetWriter;
import io.dcloud.gateway.common.DatasetBackends;
import io.dcloud.job.JobEntity;
import io.dcloud.job.JobIndex;
import io.dcloud.persistence.CassandraChunkStore;
import java.time.Clock;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;

/** The dataset store's parts on a node: chunks in the journal's Cassandra, and on gateways the routes' backends and the janitor. */
final class DatasetWiring {
  private DatasetWiring() {}

  static CompletionStage<Done> createSchema(ActorSystem<?> system, Config config) {
    return CassandraChunkStore.createSchema(system, CassandraChunkStore.Settings.fromConfig(config));
  }

  static BlobStore blobStore(ActorSystem<?> system, Config config) {
    BlobSettings settings = BlobSettings.fromConfig(config);
    return new ChunkedBlobStore(
        new CassandraChunkStore(system, CassandraChunkStore.Settings.fromConfig(config), settings), settings);
  }

  /**
   * Inference jobs on every node (their entities are sharded like the services'): they read their
   * input from and write their output to the dataset store.
   */
  static void startJobs(ActorSystem<?> system, Config config, ActorRef<DatasetIndex.Command> index,
      ActorRef<JobIndex.Command> jobIndex) {
    BlobStore blobs = blobStore(system, config);
    DatasetWriter writer = new DatasetWriter(system, id -> DatasetEntity.ref(ClusterSharding.get(system), id), index, blobs,
        config.getDuration("dcloud.ask-timeout"));
    JobEntity.init(system, JobEntity.wiring(system, blobs, writer, jobIndex, JobEntity.Settings.fromConfig(config)));
  }

  /** What the gateway's dataset routes use; starts this gateway's janitor. */
  static DatasetBackends forGateway(ActorContext<?> context, Config config, ActorRef<DatasetIndex.Command> index) {
    ActorSystem<?> system = context.getSystem();
    ClusterSharding sharding = ClusterSharding.get(system);
    DatasetListing listing = new DatasetListing(
        system, index, config.getString("dcloud.read-side.journal-plugin"), config.getDuration("dcloud.ask-timeout"));
    DatasetBackends backends = new DatasetBackends(sharding, index, listing, blobStore(system, config));
    context.spawn(DatasetJanitor.create(listing, backends.blobs(), backends.entities(),
        config.getDuration("dcloud.datasets.cleanup-interval"), config.getDuration("dcloud.datasets.transfer-timeout"),
        config.getDuration("dcloud.ask-timeout"), Clock.systemUTC()), "dataset-janitor");
    return backends;
  }
}
