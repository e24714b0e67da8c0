package io.dcloud.gateway.common;

import io.dcloud.job.JobEntity;
import io.dcloud.job.JobIndex;
import java.util.function.Function;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityRef;

/**
 * The actors behind {@code /jobs}.
 *
 * @param jobs the job entity of an id (sharded)
 * @param index the job index singleton's proxy (what listing asks first)
 */
public record JobBackends(Function<String, EntityRef<JobEntity.Command>> jobs, ActorRef<JobIndex.Command> index) {

  public JobBackends(ClusterSharding sharding, ActorRef<JobIndex.Command> index) {
    this(id -> sharding.entityRefFor(JobEntity.TYPE_KEY, id), index);
  }
}
