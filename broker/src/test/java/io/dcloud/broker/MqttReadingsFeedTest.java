package io.dcloud.broker;

import static org.assertj.core.api.Assertions.assertThat;

import io.dcloud.device.Reading;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** Followers of a device get its processed readings until they close; one subscription per device. */
@Tag("mqtt")
class MqttReadingsFeedTest {

  @Test
  void twoFollowersGetTheReadingsAndNoneAfterClosing() throws Exception {
    try (MosquittoBroker broker = MosquittoBroker.start()) {
      AdminGrants.grant(broker);
      MqttReadingsFeed feed = new MqttReadingsFeed();
      try (MqttConnection publisher = MqttConnection.connect(MqttConnectionTest.settings(broker), "test-ingest")
              .toCompletableFuture().get(20, TimeUnit.SECONDS);
          MqttConnection gateway = MqttConnection.connect(MqttConnectionTest.settings(broker), "test-feed",
              feed::connected).toCompletableFuture().get(20, TimeUnit.SECONDS)) {
        LinkedBlockingQueue<Reading> first = new LinkedBlockingQueue<>();
        LinkedBlockingQueue<Reading> second = new LinkedBlockingQueue<>();
        LinkedBlockingQueue<Reading> sentinel = new LinkedBlockingQueue<>();
        AutoCloseable firstFollows = feed.follow("thermo-1", first::add);
        AutoCloseable secondFollows = feed.follow("thermo-1", second::add);
        AutoCloseable sentinelFollows = feed.follow("thermo-2", sentinel::add);

        // Subscriptions are asynchronous, and made in order on one connection: once thermo-2's
        // readings arrive, thermo-1's subscription is in place too.
        Instant deadline = Instant.now().plusSeconds(20);
        boolean subscribed = false;
        while (!subscribed && Instant.now().isBefore(deadline)) {
          publish(publisher, reading("thermo-2", 0.0));
          subscribed = sentinel.poll(500, TimeUnit.MILLISECONDS) != null;
        }
        assertThat(subscribed).isTrue();
        Reading r1 = reading("thermo-1", 1.0);
        publish(publisher, r1);
        assertThat(first.poll(20, TimeUnit.SECONDS)).isEqualTo(r1);
        assertThat(second.poll(20, TimeUnit.SECONDS)).isEqualTo(r1);

        firstFollows.close();
        Reading r2 = reading("thermo-1", 2.0);
        publish(publisher, r2);
        assertThat(second.poll(20, TimeUnit.SECONDS)).isEqualTo(r2);
        assertThat(first).isEmpty();

        secondFollows.close();
        sentinel.clear();
        publish(publisher, reading("thermo-1", 3.0));
        // In order on one connection: had thermo-1 still been subscribed, its reading would come first.
        Reading after = reading("thermo-2", 4.0);
        publish(publisher, after);
        assertThat(sentinel.poll(20, TimeUnit.SECONDS)).isEqualTo(after);
        assertThat(first).isEmpty();
        assertThat(second).isEmpty();
        sentinelFollows.close();
      }
    }
  }

  private static Reading reading(String device, double temperature) {
    Instant at = Instant.parse("2026-12-01T10:00:00Z");
    return new Reading(device, "thermo", at, at.plusMillis(3), Map.of("temperature", temperature, "count", 3L));
  }

  private static void publish(MqttConnection publisher, Reading reading) throws Exception {
    publisher.client().publish("dcloud/readings/" + reading.device(), ProcessedReadings.toJson(reading), 1, false)
        .waitForCompletion(10_000);
  }
}
