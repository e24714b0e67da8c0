package io.dcloud.client;

import io.dcloud.client.protocol.DCloudProtocol;
import io.dcloud.client.protocol.DCloudProtocol.Request;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.receptionist.Receptionist;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gateway nodes' client services the Receptionist knows (reachable ones only), kept current by
 * a subscription; requests go to any one of them, as HTTP requests go to any gateway.
 */
final class GatewayServices {
  private static final Logger log = LoggerFactory.getLogger(GatewayServices.class);

  private final AtomicReference<List<ActorRef<Request>>> known = new AtomicReference<>(List.of());
  /** Completed when the first service is known: requests made before wait for it. */
  private final CompletableFuture<Void> first = new CompletableFuture<>();

  Behavior<Receptionist.Listing> subscriber() {
    return Behaviors.setup(context -> {
      context.getSystem().receptionist().tell(Receptionist.subscribe(DCloudProtocol.SERVICE_KEY, context.getSelf()));
      return Behaviors.receiveMessage(listing -> {
        List<ActorRef<Request>> services = List.copyOf(listing.getServiceInstances(DCloudProtocol.SERVICE_KEY));
        if (services.size() != known.getAndSet(services).size()) {
          log.info("{} DCloud gateway(s) serve {}", services.size(), DCloudProtocol.NAME);
        }
        if (!services.isEmpty()) {
          first.complete(null);
        }
        return Behaviors.same();
      });
    });
  }

  CompletableFuture<Void> firstKnown() {
    return first;
  }

  /** Any known service; empty when none is (they were all lost since). */
  Optional<ActorRef<Request>> any() {
    List<ActorRef<Request>> services = known.get();
    return services.isEmpty()
        ? Optional.empty()
        : Optional.of(services.get(ThreadLocalRandom.current().nextInt(services.size())));
  }
}
