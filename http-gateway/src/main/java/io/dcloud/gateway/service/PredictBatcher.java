package io.dcloud.gateway.service;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dcloud.service.ServiceDefinition;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Dynamic batching of a model's predicts (seed 004 C3): the instances of the calls that arrive within
 * {@code maxWaitMs} of the first go to one replica in one {@code /predict}, up to {@code maxSize}
 * instances, and each caller gets its own predictions back; a batch does not wait while one of the
 * service's replicas is free of this gateway's batches (see {@link #predict}). A merged batch the model answers 400 (one
 * caller's bad instance) is sent again call by call, so each error names the caller's own instance
 * index and the others still get their predictions. Any other answer to a merged batch (a 5xx, say)
 * is every one of its callers' answer.
 */
final class PredictBatcher {
  private static final ObjectMapper MAPPER = new ObjectMapper();
  static final String INSTANCES = "instances";
  static final String PREDICTIONS = "predictions";
  private static final String JSON = "application/json";

  /** A whole answer of the model's {@code /predict} (or one made here for one caller of a batch). */
  record Reply(int status, String contentType, byte[] body) {}

  /** Sends one {@code /predict} with these instances to one ready replica of the service. */
  @FunctionalInterface
  interface Predict {
    CompletionStage<Reply> send(List<JsonNode> instances);
  }

  /** Runs a task after a delay (the actor system's scheduler; a hand-driven one in tests). */
  @FunctionalInterface
  interface Timer {
    void after(Duration delay, Runnable task);
  }

  private final Timer timer;
  private final Map<String, Lane> lanes = new ConcurrentHashMap<>();

  PredictBatcher(Timer timer) {
    this.timer = timer;
  }

  /**
   * The answer to one caller's instances, sent with others' when {@code batching} lets them wait
   * together. A batch leaves when it is full, when {@code max-wait-ms} has passed since its first
   * call, or at once when fewer of this service's batches are in flight from here than it has
   * {@code replicas} ready: a free replica never waits for a batch to fill (light load is not
   * delayed), and while every replica is busy the calls that arrive meanwhile go together as soon
   * as one answers (Triton's dynamic batcher works the same way).
   */
  CompletionStage<Reply> predict(String service, ServiceDefinition.Batching batching, int replicas,
      List<JsonNode> instances, Predict send) {
    if (batching == null || batching.maxSize() <= 1 || instances.size() >= batching.maxSize()) {
      return send.send(instances);
    }
    Lane lane = lanes.computeIfAbsent(service, s -> new Lane());
    Waiter waiter = new Waiter(instances, send, new CompletableFuture<>());
    List<Batch> leaving = new ArrayList<>(2);
    Batch opened = null;
    synchronized (lane) {
      lane.replicas = replicas;
      if (lane.open != null && lane.open.size + instances.size() > batching.maxSize()) {
        leaving.add(lane.leave());
      }
      if (lane.open == null) {
        lane.open = new Batch();
        opened = lane.open;
      }
      lane.open.add(waiter);
      if (lane.open.size >= batching.maxSize() || lane.inFlight < lane.replicas) {
        if (lane.open == opened) {
          opened = null; // leaves now: nothing to wait for
        }
        leaving.add(lane.leave());
      }
    }
    leaving.forEach(batch -> flush(lane, batch));
    if (opened != null) {
      Batch waiting = opened;
      timer.after(Duration.ofMillis(batching.maxWaitMs()), () -> {
        synchronized (lane) {
          if (lane.open != waiting) {
            return; // it left already: full, or a replica was free
          }
          lane.leave();
        }
        flush(lane, waiting);
      });
    }
    return waiter.answer;
  }

  private void flush(Lane lane, Batch batch) {
    List<Waiter> waiters = batch.waiters;
    if (waiters.size() == 1) {
      Waiter alone = waiters.get(0);
      sent(alone.send, alone.instances).whenComplete((reply, failure) -> {
        answered(lane);
        complete(alone, reply, failure);
      });
      return;
    }
    List<JsonNode> merged = new ArrayList<>(batch.size);
    waiters.forEach(waiter -> merged.addAll(waiter.instances));
    sent(waiters.get(0).send, merged).whenComplete((reply, failure) -> {
      answered(lane);
      if (failure != null) {
        waiters.forEach(waiter -> waiter.answer.completeExceptionally(failure));
      } else if (reply.status() == 400) {
        waiters.forEach(this::alone);
      } else if (reply.status() / 100 != 2) {
        waiters.forEach(waiter -> waiter.answer.complete(reply));
      } else {
        split(reply, waiters, merged.size());
      }
    });
  }

  /** A send that throws is a failed answer: its callers are told, and the lane's count stays true. */
  private static CompletionStage<Reply> sent(Predict send, List<JsonNode> instances) {
    try {
      return send.send(instances);
    } catch (RuntimeException failed) {
      return CompletableFuture.failedFuture(failed);
    }
  }

  /** A batch of the lane was answered: its replica is free, so the calls waiting meanwhile leave now. */
  private void answered(Lane lane) {
    Batch next = null;
    synchronized (lane) {
      lane.inFlight--;
      if (lane.open != null && lane.inFlight < lane.replicas) {
        next = lane.open;
        lane.leave();
      }
    }
    if (next != null) {
      flush(lane, next);
    }
  }

  /** Each caller's predictions, in order; a model that answered anything else is asked call by call. */
  private void split(Reply reply, List<Waiter> waiters, int total) {
    JsonNode predictions;
    try {
      predictions = MAPPER.readTree(reply.body()).get(PREDICTIONS);
    } catch (IOException | RuntimeException malformed) {
      predictions = null;
    }
    if (predictions == null || !predictions.isArray() || predictions.size() != total) {
      waiters.forEach(this::alone);
      return;
    }
    int offset = 0;
    for (Waiter waiter : waiters) {
      ArrayNode own = JsonNodeFactory.instance.arrayNode(waiter.instances.size());
      for (int i = 0; i < waiter.instances.size(); i++) {
        own.add(predictions.get(offset + i));
      }
      offset += waiter.instances.size();
      ObjectNode body = JsonNodeFactory.instance.objectNode();
      body.set(PREDICTIONS, own);
      try {
        waiter.answer.complete(new Reply(reply.status(), JSON, MAPPER.writeValueAsBytes(body)));
      } catch (IOException unreachable) {
        waiter.answer.completeExceptionally(unreachable);
      }
    }
  }

  /** One caller of a refused batch, asked again on its own. */
  private void alone(Waiter waiter) {
    waiter.send.send(waiter.instances).whenComplete((reply, failure) -> complete(waiter, reply, failure));
  }

  private static void complete(Waiter waiter, Reply reply, Throwable failure) {
    if (failure != null) {
      waiter.answer.completeExceptionally(failure);
    } else {
      waiter.answer.complete(reply);
    }
  }

  private record Waiter(List<JsonNode> instances, Predict send, CompletableFuture<Reply> answer) {}

  /** The calls of one batch, in their order of arrival. */
  private static final class Batch {
    final List<Waiter> waiters = new ArrayList<>();
    int size;

    void add(Waiter waiter) {
      waiters.add(waiter);
      size += waiter.instances.size();
    }
  }

  /** One service's batch being filled (null between batches), and its batches on their way. */
  private static final class Lane {
    Batch open;
    /** Batches sent from here and not yet answered. */
    int inFlight;
    /** The service's ready replicas, as the latest call saw them. */
    int replicas;

    /** The open batch leaves: one more in flight. */
    Batch leave() {
      Batch leaving = open;
      open = null;
      inFlight++;
      return leaving;
    }
  }
}
