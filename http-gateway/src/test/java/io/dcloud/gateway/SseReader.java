package io.dcloud.gateway;

import java.io.IOException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Stream;

/**
 * Reads a Server-Sent Events stream on a background thread and hands out whole events with a
 * bounded wait each, so a test never blocks forever on a stream that stays silent.
 */
public final class SseReader implements AutoCloseable {

  /** {@code id}: the event's id line, null when it has none. */
  public record Event(String type, String data, String id) {}

  private static final Event END = new Event("", "", null);

  private final BlockingQueue<Event> events = new LinkedBlockingQueue<>();
  private final HttpResponse<Stream<String>> response;
  private final Thread reader;

  public SseReader(Api api, String path) throws IOException, InterruptedException {
    this(api, path, null);
  }

  /** A stream resumed after the event {@code lastEventId} (null: not resumed). */
  public SseReader(Api api, String path, String lastEventId) throws IOException, InterruptedException {
    HttpRequest.Builder builder =
        api.request(path).timeout(java.time.Duration.ofMinutes(5)).header("accept", "text/event-stream");
    if (lastEventId != null) {
      builder.header("Last-Event-ID", lastEventId);
    }
    HttpRequest request = builder.build();
    response = api.http.send(request, BodyHandlers.ofLines());
    reader = new Thread(this::readAll, "sse-reader " + path);
    reader.setDaemon(true);
    reader.start();
  }

  public int status() {
    return response.statusCode();
  }

  public String contentType() {
    return response.headers().firstValue("content-type").orElse("");
  }

  private void readAll() {
    String type = null;
    String id = null;
    StringBuilder data = new StringBuilder();
    try (Stream<String> lines = response.body()) {
      for (String line : (Iterable<String>) lines::iterator) {
        if (line.isEmpty()) {
          if (data.length() > 0) {
            events.add(new Event(type == null ? "message" : type, data.toString(), id));
          }
          type = null;
          id = null;
          data.setLength(0);
        } else if (line.startsWith("event:")) {
          type = line.substring("event:".length()).strip();
        } else if (line.startsWith("id:")) {
          id = line.substring("id:".length()).strip();
        } else if (line.startsWith("data:")) {
          data.append(line.substring("data:".length()).strip());
        }
        // ':' lines are heartbeats.
      }
    } catch (RuntimeException closed) {
      // The test closed the stream.
    } finally {
      events.add(END);
    }
  }

  /** The next event, or null when the stream ended; fails after {@code wait}. */
  public Event next(Duration wait) throws InterruptedException {
    Event event = events.poll(wait.toMillis(), TimeUnit.MILLISECONDS);
    if (event == null) {
      throw new AssertionError("no event within " + wait);
    }
    return event == END ? null : event;
  }

  /** Reads events until one matches, all within {@code wait}; fails otherwise. */
  public Event until(Predicate<Event> wanted, Duration wait) throws InterruptedException {
    long deadline = System.nanoTime() + wait.toNanos();
    while (true) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        throw new AssertionError("no matching event within " + wait);
      }
      Event event = next(Duration.ofNanos(left));
      if (event == null) {
        throw new AssertionError("the stream ended before a matching event");
      }
      if (wanted.test(event)) {
        return event;
      }
    }
  }

  /** True when the server ends the stream within {@code wait} (after any remaining events). */
  public boolean endsWithin(Duration wait) throws InterruptedException {
    long deadline = System.nanoTime() + wait.toNanos();
    while (System.nanoTime() < deadline) {
      Event event = events.poll(Math.max(1, (deadline - System.nanoTime()) / 1_000_000), TimeUnit.MILLISECONDS);
      if (event == END) {
        return true;
      }
    }
    return false;
  }

  @Override
  public void close() {
    response.body().close();
    reader.interrupt();
  }
}
