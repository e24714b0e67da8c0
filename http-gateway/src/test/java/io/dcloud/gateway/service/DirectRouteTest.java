package io.dcloud.gateway.service;

import static org.assertj.core.api.Assertions.assertThat;

import io.dcloud.service.ServiceView;
import io.dcloud.spec.PublishedPort;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** Which calls go straight to a replica's port and which through its node, on a hand-driven clock. */
class DirectRouteTest {
  private static final Duration INTERVAL = Duration.ofSeconds(10);
  private static final DirectRouteSettings ON = new DirectRouteSettings(true, false, INTERVAL, 16);
  private static final PublishedPort LOOPBACK = new PublishedPort(8080, "tcp", "127.0.0.1", 32801);
  private static final PublishedPort ANY = new PublishedPort(8080, "tcp", "0.0.0.0", 32802);
  private static final PublishedPort ROUTABLE = new PublishedPort(8080, "tcp", "10.0.0.7", 32803);

  private final AtomicLong clock = new AtomicLong(1_000);

  private DirectRoute route(DirectRouteSettings settings) {
    return new DirectRoute(settings, "n1", clock::get);
  }

  /** The base of the replica's call after its first, which goes through its node (it has had none there yet). */
  private static Optional<String> second(DirectRoute route, ServiceView.Replica replica) {
    route.base(replica);
    return route.base(replica);
  }

  @Test
  void aReplicaOnThisGatewaysNodeIsCalledOnItsPublishedPortAfterItsFirstCallWentThroughTheNode() {
    DirectRoute route = route(ON);
    ServiceView.Replica local = replica("a", "n1", LOOPBACK);
    assertThat(route.base(local)).isEmpty();
    assertThat(route.base(local)).contains("http://127.0.0.1:32801");
    assertThat(second(route, replica("b", "n1", ANY))).contains("http://127.0.0.1:32802");
  }

  @Test
  void aReplicaOnThisNodeWhoseAddressIsKnownIsCalledThereAndOneElsewhereAtItsPublishedPort() {
    PublishedPort local = new PublishedPort(8080, "tcp", "127.0.0.1", 32801, "172.18.0.5");
    assertThat(second(route(ON), replica("a", "n1", local))).contains("http://172.18.0.5:8080");
    PublishedPort routable = new PublishedPort(8080, "tcp", "10.0.0.7", 32803, "172.18.0.6");
    DirectRoute others = route(new DirectRouteSettings(true, true, INTERVAL, 16));
    assertThat(second(others, replica("b", "n2", routable))).as("another machine's bridge is not routed here")
        .contains("http://10.0.0.7:32803");
  }

  @Test
  void withoutAKnownPortOrWhenOffEveryCallGoesThroughTheNode() {
    assertThat(second(route(ON), replica("a", "n1", null))).isEmpty();
    assertThat(second(route(ON), replica("a", null, LOOPBACK))).isEmpty();
    assertThat(second(route(new DirectRouteSettings(false, true, INTERVAL, 16)), replica("a", "n1", LOOPBACK))).isEmpty();
  }

  @Test
  void anotherNodesReplicaIsCalledDirectlyOnlyWhenAllowedAndPublishedOnAnAddressOthersReach() {
    assertThat(second(route(ON), replica("a", "n2", ROUTABLE))).isEmpty();
    DirectRoute others = route(new DirectRouteSettings(true, true, INTERVAL, 16));
    assertThat(second(others, replica("b", "n2", LOOPBACK))).isEmpty();
    assertThat(second(others, replica("c", "n2", ANY))).isEmpty();
    assertThat(second(others, replica("d", "n2", ROUTABLE))).contains("http://10.0.0.7:32803");
  }

  @Test
  void oneCallPerIntervalGoesThroughTheNodeSoItSeesTheReplicaUsed() {
    DirectRoute route = route(ON);
    ServiceView.Replica local = replica("a", "n1", LOOPBACK);
    assertThat(second(route, local)).isPresent();
    clock.addAndGet(INTERVAL.toNanos() - 1);
    assertThat(route.base(local)).isPresent();
    clock.addAndGet(1);
    assertThat(route.base(local)).isEmpty();
    assertThat(route.base(local)).isPresent();
  }

  @Test
  void aReplicaThatRefusedADirectCallIsCalledThroughItsNodeForAnInterval() {
    DirectRoute route = route(ON);
    ServiceView.Replica local = replica("a", "n1", LOOPBACK);
    assertThat(second(route, local)).isPresent();
    route.refused("a");
    clock.addAndGet(INTERVAL.toNanos() - 1);
    assertThat(route.base(local)).isEmpty();
    clock.addAndGet(1);
    // The interval is over for both: this call goes through the node, the next directly again.
    assertThat(route.base(local)).isEmpty();
    assertThat(route.base(local)).isPresent();
  }

  @Test
  void aForgottenReplicasNextCallGoesThroughItsNodeAgain() {
    DirectRoute route = route(ON);
    ServiceView.Replica local = replica("a", "n1", LOOPBACK);
    assertThat(second(route, local)).isPresent();
    route.forget(List.of("a"));
    assertThat(route.base(local)).isEmpty();
  }

  private static ServiceView.Replica replica(String id, String node, PublishedPort published) {
    return new ServiceView.Replica(id, node, "RUNNING", true, 1, published, null);
  }
}
