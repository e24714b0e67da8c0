package io.dcloud.app;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Callers that predict through the gateway, one request after another, until stopped: how many were
 * answered, and every answer that was not a 200 with one of the {@code accepted} prediction lists
 * (the failures a test expects none of, while a replica dies or a service rolls).
 */
final class PredictStream implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final ExecutorService callers;
  private final List<Future<?>> running = new ArrayList<>();
  private final AtomicBoolean stopping = new AtomicBoolean();
  private final AtomicInteger answered = new AtomicInteger();
  private final ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();

  private PredictStream(int callers) {
    this.callers = Executors.newFixedThreadPool(callers);
  }

  static PredictStream start(Api api, String service, ArrayNode instances, Set<JsonNode> accepted, int callers) {
    PredictStream stream = new PredictStream(callers);
    String body = JSON.createObjectNode().set("instances", instances).toString();
    for (int i = 0; i < callers; i++) {
      stream.running.add(stream.callers.submit(() -> {
        while (!stream.stopping.get()) {
          Api.Response answer = api.post("/api/v1/services/" + service + "/predict", body);
          if (answer.status() != 200 || !accepted.contains(answer.json().path("predictions"))) {
            stream.failures.add(answer.status() + " " + answer.body());
          }
          stream.answered.incrementAndGet();
        }
        return null;
      }));
    }
    return stream;
  }

  int answered() {
    return answered.get();
  }

  /** Stops the callers (each finishes its call in flight); the failures. */
  List<String> stop() throws Exception {
    stopping.set(true);
    for (Future<?> caller : running) {
      caller.get(2, TimeUnit.MINUTES);
    }
    return List.copyOf(failures);
  }

  @Override
  public void close() {
    stopping.set(true);
    callers.shutdownNow();
  }
}
