package io.dcloud.gateway.common;

import io.dcloud.service.ServiceEntity;
import io.dcloud.service.ServiceIndex;
import java.util.function.Function;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityRef;

/**
 * The actors behind {@code /services}.
 *
 * @param services the service entity of a name (sharded)
 * @param index the service index singleton's proxy (what listing asks first)
 */
public record ServiceBackends(
    Function<String, EntityRef<ServiceEntity.Command>> services, ActorRef<ServiceIndex.Command> index) {

  public ServiceBackends(ClusterSharding sharding, ActorRef<ServiceIndex.Command> index) {
    this(name -> sharding.entityRefFor(ServiceEntity.TYPE_KEY, name), index);
  }
}
