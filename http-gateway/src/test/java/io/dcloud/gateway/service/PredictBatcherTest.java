package io.dcloud.gateway.service;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.IntNode;
import io.dcloud.service.ServiceDefinition;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * The batcher against a fake model (predicts 10 × its instance; a negative instance is a bad one, 400)
 * and a hand-driven timer: "max-wait-ms has passed" is the test running the task it was given. Unless
 * a test says otherwise the service has no ready replica free, so the wait (or a full batch) decides.
 */
class PredictBatcherTest {
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final ServiceDefinition.Batching BATCHING = new ServiceDefinition.Batching(4, 50);

  private final List<Runnable> timers = new ArrayList<>();
  private final List<Duration> delays = new ArrayList<>();
  private final PredictBatcher batcher = new PredictBatcher((delay, task) -> {
    delays.add(delay);
    timers.add(task);
  });
  /** The instances of each /predict the model got. */
  private final List<List<Integer>> sent = new ArrayList<>();
  /** The service's ready replicas, as the calls see them. */
  private int replicas = 0;
  /** When set, the model's answers wait here until the test lets them go. */
  private List<Runnable> held = null;

  private CompletionStage<PredictBatcher.Reply> model(List<JsonNode> instances) {
    CompletableFuture<PredictBatcher.Reply> answer = answer(instances);
    if (held == null) {
      return answer;
    }
    CompletableFuture<PredictBatcher.Reply> later = new CompletableFuture<>();
    held.add(() -> later.complete(answer.join()));
    return later;
  }

  private CompletableFuture<PredictBatcher.Reply> answer(List<JsonNode> instances) {
    List<Integer> values = instances.stream().map(JsonNode::asInt).toList();
    sent.add(values);
    int bad = IntStream.range(0, values.size()).filter(i -> values.get(i) < 0).findFirst().orElse(-1);
    String body = bad >= 0
        ? "{\"error\": \"bad instance " + bad + "\"}"
        : "{\"predictions\": " + values.stream().map(v -> v * 10).toList() + "}";
    return CompletableFuture.completedFuture(
        new PredictBatcher.Reply(bad >= 0 ? 400 : 200, "application/json", body.getBytes(StandardCharsets.UTF_8)));
  }

  private CompletableFuture<PredictBatcher.Reply> predict(ServiceDefinition.Batching batching, Integer... instances) {
    List<JsonNode> nodes = List.of(instances).stream().map(i -> (JsonNode) IntNode.valueOf(i)).toList();
    return batcher.predict("svc", batching, replicas, nodes, this::model).toCompletableFuture();
  }

  @Test
  void aCallGoesAtOnceWhenAReplicaIsFree() throws Exception {
    replicas = 1;

    CompletableFuture<PredictBatcher.Reply> only = predict(BATCHING, 1);

    assertThat(sent).containsExactly(List.of(1));
    assertThat(timers).isEmpty();
    assertThat(predictions(only)).isEqualTo("[10]");
  }

  @Test
  void whileEveryReplicaIsBusyCallsWaitAndLeaveTogetherAsSoonAsOneAnswers() throws Exception {
    replicas = 1;
    held = new ArrayList<>();
    List<Runnable> answers = held;

    CompletableFuture<PredictBatcher.Reply> first = predict(BATCHING, 1);
    CompletableFuture<PredictBatcher.Reply> second = predict(BATCHING, 2);
    CompletableFuture<PredictBatcher.Reply> third = predict(BATCHING, 3);
    assertThat(sent).as("the replica is busy with the first").containsExactly(List.of(1));
    assertThat(timers).hasSize(1);

    answers.get(0).run();

    assertThat(predictions(first)).isEqualTo("[10]");
    assertThat(sent).as("the replica answered: the waiting calls leave without waiting out max-wait-ms")
        .containsExactly(List.of(1), List.of(2, 3));
    answers.get(1).run();
    assertThat(predictions(second)).isEqualTo("[20]");
    assertThat(predictions(third)).isEqualTo("[30]");
    timers.get(0).run();
    assertThat(sent).as("the wait finds its batch gone").hasSize(2);
  }

  @Test
  void callsWithinTheWaitGoTogetherAndEachGetsItsOwnPredictions() throws Exception {
    CompletableFuture<PredictBatcher.Reply> first = predict(BATCHING, 1);
    CompletableFuture<PredictBatcher.Reply> second = predict(BATCHING, 2, 3);
    assertThat(sent).isEmpty();
    assertThat(first).isNotDone();

    timers.get(0).run();

    assertThat(delays).containsExactly(Duration.ofMillis(50));
    assertThat(sent).containsExactly(List.of(1, 2, 3));
    assertThat(predictions(first)).isEqualTo("[10]");
    assertThat(predictions(second)).isEqualTo("[20,30]");
  }

  @Test
  void aFullBatchGoesAtOnceAndTheNextStartsAnew() throws Exception {
    CompletableFuture<PredictBatcher.Reply> first = predict(BATCHING, 1, 2);
    CompletableFuture<PredictBatcher.Reply> second = predict(BATCHING, 3, 4);
    assertThat(sent).containsExactly(List.of(1, 2, 3, 4));
    assertThat(predictions(first)).isEqualTo("[10,20]");
    assertThat(predictions(second)).isEqualTo("[30,40]");

    CompletableFuture<PredictBatcher.Reply> third = predict(BATCHING, 5);
    // The first batch's timer finds it gone; the third call's is the one that sends it.
    timers.get(0).run();
    assertThat(third).isNotDone();
    timers.get(1).run();
    assertThat(predictions(third)).isEqualTo("[50]");
  }

  @Test
  void aCallThatWouldOverfillTheBatchSendsItAndStartsTheNext() throws Exception {
    CompletableFuture<PredictBatcher.Reply> first = predict(BATCHING, 1, 2, 3);
    CompletableFuture<PredictBatcher.Reply> second = predict(BATCHING, 4, 5);
    // Alone in its batch, the first went as it was.
    assertThat(sent).containsExactly(List.of(1, 2, 3));
    assertThat(predictions(first)).isEqualTo("[10,20,30]");

    timers.get(1).run();
    assertThat(predictions(second)).isEqualTo("[40,50]");
  }

  @Test
  void aBatchTheModelRefusesIsSentAgainCallByCall() throws Exception {
    CompletableFuture<PredictBatcher.Reply> good = predict(BATCHING, 1);
    CompletableFuture<PredictBatcher.Reply> bad = predict(BATCHING, 2, -3);
    timers.get(0).run();

    assertThat(sent).containsExactly(List.of(1, 2, -3), List.of(1), List.of(2, -3));
    assertThat(predictions(good)).isEqualTo("[10]");
    assertThat(bad.get().status()).isEqualTo(400);
    // The index is the caller's own, not its place in the merged batch (2).
    assertThat(new String(bad.get().body(), StandardCharsets.UTF_8)).contains("instance 1");
  }

  @Test
  void withoutBatchingEachCallGoesAtOnce() throws Exception {
    CompletableFuture<PredictBatcher.Reply> first = predict(null, 1);
    CompletableFuture<PredictBatcher.Reply> second = predict(new ServiceDefinition.Batching(1, 50), 2);

    assertThat(sent).containsExactly(List.of(1), List.of(2));
    assertThat(timers).isEmpty();
    assertThat(predictions(first)).isEqualTo("[10]");
    assertThat(predictions(second)).isEqualTo("[20]");
  }

  @Test
  void otherErrorsOfABatchAreEveryCallersAnswer() throws Exception {
    PredictBatcher failing = new PredictBatcher((delay, task) -> timers.add(task));
    PredictBatcher.Predict down = instances -> CompletableFuture.completedFuture(
        new PredictBatcher.Reply(503, "text/plain", "busy".getBytes(StandardCharsets.UTF_8)));
    CompletableFuture<PredictBatcher.Reply> first =
        failing.predict("svc", BATCHING, 0, List.of(IntNode.valueOf(1)), down).toCompletableFuture();
    CompletableFuture<PredictBatcher.Reply> second =
        failing.predict("svc", BATCHING, 0, List.of(IntNode.valueOf(2)), down).toCompletableFuture();
    timers.get(0).run();

    assertThat(first.get().status()).isEqualTo(503);
    assertThat(second.get().status()).isEqualTo(503);
  }

  @Test
  void aSendThatThrowsFailsItsCallersAndFreesTheReplica() throws Exception {
    replicas = 1;
    held = new ArrayList<>();
    List<Runnable> answers = held;
    CompletableFuture<PredictBatcher.Reply> busy = predict(BATCHING, 1);
    PredictBatcher.Predict broken = instances -> {
      throw new IllegalStateException("no route");
    };
    CompletableFuture<PredictBatcher.Reply> first =
        batcher.predict("svc", BATCHING, 1, List.of(IntNode.valueOf(2)), broken).toCompletableFuture();
    CompletableFuture<PredictBatcher.Reply> second =
        batcher.predict("svc", BATCHING, 1, List.of(IntNode.valueOf(3)), broken).toCompletableFuture();

    answers.get(0).run();

    assertThat(predictions(busy)).isEqualTo("[10]");
    assertThat(first).isCompletedExceptionally();
    assertThat(second).isCompletedExceptionally();
    held = null;
    CompletableFuture<PredictBatcher.Reply> next = predict(BATCHING, 4);
    assertThat(predictions(next)).as("the replica counts as free again").isEqualTo("[40]");
  }

  private static String predictions(CompletableFuture<PredictBatcher.Reply> reply) throws Exception {
    assertThat(reply).isDone();
    assertThat(reply.get().status()).isEqualTo(200);
    return MAPPER.readTree(reply.get().body()).get("predictions").toString();
  }
}
