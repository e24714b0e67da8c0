package io.dcloud.gateway.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** When a streamed answer lets its call go: its body sent whole, its caller gone midway, or never sent at all. */
class StreamedAnswersTest {
  private static final ActorTestKit testKit = ActorTestKit.create("streamed-answers-test");
  private static final Materializer MATERIALIZER = Materializer.matFromSystem(testKit.system());
  private static final Duration WAIT = Duration.ofSeconds(5);

  private final AtomicInteger released = new AtomicInteger();

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  private static HttpResponse streaming(Source<ByteString, ?> body) {
    return HttpResponse.create().withEntity(HttpEntities.createChunked(ContentTypes.TEXT_PLAIN_UTF8, body));
  }

  @Test
  void aBodySentWholeLetsItsCallGoOnceAndUnchanged() throws Exception {
    HttpResponse held = new StreamedAnswers(Duration.ofMinutes(1)).heldUntilSent(
        streaming(Source.from(List.of(ByteString.fromString("tok"), ByteString.fromString("ens")))), released::incrementAndGet);
    assertThat(released).as("nothing sent yet").hasValue(0);

    String body = held.entity().toStrict(WAIT.toMillis(), MATERIALIZER).toCompletableFuture()
        .get(WAIT.toSeconds(), TimeUnit.SECONDS).getData().utf8String();

    assertThat(body).isEqualTo("tokens");
    await().atMost(WAIT).until(released::get, count -> count == 1);
  }

  @Test
  void aCallerGoneMidwayLetsItGo() {
    HttpResponse held = new StreamedAnswers(Duration.ofMinutes(1)).heldUntilSent(
        streaming(Source.repeat(ByteString.fromString("x"))), released::incrementAndGet);

    held.entity().getDataBytes().take(3).runWith(Sink.ignore(), MATERIALIZER);

    await().atMost(WAIT).until(released::get, count -> count == 1);
  }

  @Test
  void anAnswerNeverSentIsLetGoOnceItsStreamCouldNoLongerStart() {
    new StreamedAnswers(Duration.ofMillis(200)).heldUntilSent(
        streaming(Source.repeat(ByteString.fromString("x"))), released::incrementAndGet);

    await().atMost(WAIT).until(released::get, count -> count == 1);
  }
}
