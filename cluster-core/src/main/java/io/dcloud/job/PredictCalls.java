package io.dcloud.job;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dcloud.ask.Asks;
import io.dcloud.dataset.BlobStore;
import io.dcloud.environment.EnvironmentEntity;
import io.dcloud.node.ProxyPieces;
import io.dcloud.node.ProxyWire;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.RecipientRef;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.stream.javadsl.StreamRefs;
import org.apache.pekko.util.ByteString;

/**
 * A task as the model's serving wrapper takes it ({@code POST /predict {"instances": [...]}}) and
 * its answer ({@code {"predictions": [...]}}, in order) as the lines of the job's output.
 */
final class PredictCalls {
  static final String PATH = "/predict";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern INSTANCE = Pattern.compile("instance (\\d+)");

  private PredictCalls() {}

  /**
   * Task {@code a}'s records, cut from {@code input}, sent to its replica through the replica's
   * environment entity ({@code replica}), and the answer as the entity's command; fails when none
   * comes within {@code timeout}.
   */
  static CompletionStage<JobEntity.TaskAnswered> send(ActorSystem<?> system, InputWindow input, BlobStore blobs,
      RecipientRef<EnvironmentEntity.Command> replica, int port, JobDispatch.Assignment a, Duration timeout) {
    return input.records(system, blobs, a.task())
        .thenCompose(records -> Asks.completedInline(AskPattern.<EnvironmentEntity.Command, ProxyWire.Reply>ask(replica,
            replyTo -> new EnvironmentEntity.Proxy(port, call(system, records), replyTo), timeout, system.scheduler())))
        .thenCompose(reply -> {
          if (reply instanceof ProxyWire.Response response) {
            return Asks.completedInline(body(system, response)).thenApply(body ->
                new JobEntity.TaskAnswered(a.task(), a.attempt(), a.replica(), body, response.status(), null));
          }
          String why = reply instanceof ProxyWire.Unavailable u ? u.why() + ": " + u.reason() : String.valueOf(reply);
          return CompletableFuture.completedFuture(
              new JobEntity.TaskAnswered(a.task(), a.attempt(), a.replica(), null, 0, "not reached (" + why + ")"));
        });
  }

  /** The call for {@code records} (JSON texts); a body over one inline piece travels as a stream. */
  static ProxyWire.Http call(ActorSystem<?> system, List<String> records) {
    byte[] body = ("{\"instances\":[" + String.join(",", records) + "]}").getBytes(StandardCharsets.UTF_8);
    List<ProxyWire.Header> headers = List.of(new ProxyWire.Header("Accept", "application/json"));
    if (body.length <= ProxyPieces.SIZE) {
      return new ProxyWire.Http("POST", PATH, headers, "application/json", new ProxyWire.Chunk(body), null);
    }
    return new ProxyWire.Http("POST", PATH, headers, "application/json", null,
        Source.from(ProxyPieces.chunks(ByteString.fromArray(body))).runWith(StreamRefs.sourceRef(), system));
  }

  /** The whole body of a response, inline or streamed. */
  static CompletionStage<byte[]> body(ActorSystem<?> system, ProxyWire.Response response) {
    if (response.body() != null) {
      return CompletableFuture.completedFuture(response.body().bytes());
    } else if (response.bodyStream() == null) {
      return CompletableFuture.completedFuture(new byte[0]);
    }
    return response.bodyStream().getSource()
        .runFold(ByteString.emptyByteString(), (all, chunk) -> all.concat(ByteString.fromArray(chunk.bytes())), system)
        .thenApply(ByteString::toArray);
  }

  /**
   * The predictions of a 2xx body as the output's lines (each a JSON document and a newline).
   *
   * @throws IllegalArgumentException when it is not {@code {"predictions": [...]}} of {@code count}
   */
  static ByteString lines(byte[] body, int count) {
    JsonNode predictions;
    try {
      predictions = JSON.readTree(body).get("predictions");
    } catch (IOException notJson) {
      throw new IllegalArgumentException("the replica's answer is not JSON");
    }
    if (predictions == null || !predictions.isArray() || predictions.size() != count) {
      throw new IllegalArgumentException("the replica answered " + (predictions == null || !predictions.isArray()
          ? "no predictions" : predictions.size() + " predictions") + " for " + count + " instances");
    }
    StringBuilder out = new StringBuilder();
    predictions.forEach(p -> out.append(p.toString()).append('\n'));
    return ByteString.fromString(out.toString(), StandardCharsets.UTF_8);
  }

  /**
   * Why the model refused a task, in terms of the job's records: the wrapper names the task's
   * {@code instance <i>}, which is record {@code first + i} of the input.
   */
  static String refusal(byte[] body, int status, int first) {
    String text = new String(body, StandardCharsets.UTF_8);
    try {
      JsonNode error = JSON.readTree(body).get("error");
      if (error != null && error.isTextual()) {
        text = error.textValue();
      }
    } catch (IOException notJson) {
      // the body as it is
    }
    Matcher instance = INSTANCE.matcher(text);
    String record = instance.find() ? "record " + (first + Long.parseLong(instance.group(1))) + ": " : "";
    String shortened = text.length() > 500 ? text.substring(0, 500) + "…" : text;
    return "the model refused " + (record.isEmpty() ? "a task (records from " + first + "): " : record)
        + "HTTP " + status + " " + shortened;
  }
}
