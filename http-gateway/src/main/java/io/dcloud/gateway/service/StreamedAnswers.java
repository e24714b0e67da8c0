package io.dcloud.gateway.service;

import com.typesafe.config.Config;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.ResponseEntity;

/**
 * A replica's answer that streams (tokens of a generation, a long download) keeps its call counted
 * as in progress — in its service's queue and load, which autoscaling reads, and on its replica,
 * which the balancer reads — until its last byte has gone to the caller or the caller has gone, as
 * Ray Serve counts a streaming response's request ongoing until it ends. An answer the gateway
 * never starts sending (its caller left before it came) is let go once its stream could no longer
 * start: the stream ref it comes through is given up by then ({@code unsentAfter}).
 */
final class StreamedAnswers {
  private final Duration unsentAfter;

  StreamedAnswers(Duration unsentAfter) {
    this.unsentAfter = unsentAfter;
  }

  /** {@code root}: the whole configuration (Pekko's stream refs' subscription timeout). */
  static StreamedAnswers fromConfig(Config root) {
    return new StreamedAnswers(root.getDuration("pekko.stream.materializer.stream-ref.subscription-timeout"));
  }

  /** {@code response}, whose body streams, running {@code release} once its body has ended however it ended. */
  HttpResponse heldUntilSent(HttpResponse response, Runnable release) {
    AtomicBoolean sending = new AtomicBoolean();
    ResponseEntity entity = response.entity();
    HttpResponse watched = response.withEntity(HttpEntities.createChunked(entity.getContentType(),
        entity.getDataBytes().watchTermination((notUsed, ended) -> {
          sending.set(true);
          ended.whenComplete((done, failure) -> release.run());
          return notUsed;
        })));
    CompletableFuture.delayedExecutor(unsentAfter.toMillis(), TimeUnit.MILLISECONDS).execute(() -> {
      if (!sending.get()) {
        release.run();
      }
    });
    return watched;
  }
}
