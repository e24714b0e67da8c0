package io.dcloud.gateway.common;

import io.dcloud.dataset.BlobStore;
import io.dcloud.dataset.DatasetEntity;
import io.dcloud.dataset.DatasetIndex;
import io.dcloud.dataset.DatasetListing;
import java.util.function.Function;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.RecipientRef;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;

/**
 * What the dataset routes talk to.
 *
 * @param entities the dataset entity of an id (sharded)
 * @param index the dataset index singleton's proxy
 * @param listing the read side of datasets
 * @param blobs where the bytes are (the gateway streams them in and out itself)
 */
public record DatasetBackends(
    Function<String, RecipientRef<DatasetEntity.Command>> entities,
    ActorRef<DatasetIndex.Command> index,
    DatasetListing listing,
    BlobStore blobs) {

  public DatasetBackends(
      ClusterSharding sharding, ActorRef<DatasetIndex.Command> index, DatasetListing listing, BlobStore blobs) {
    this(id -> DatasetEntity.ref(sharding, id), index, listing, blobs);
  }
}
