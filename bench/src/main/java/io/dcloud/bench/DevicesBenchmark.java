package io.dcloud.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code ./dcloud bench devices} (bench/devices.sh starts DCloud and its broker, makes the sensor
 * type, the app and its binding, and registers the devices; this measures): subscribes as the app
 * to every bound device's processed readings, runs {@code dcloud devices simulate} for --duration
 * at --rate, waits up to --drain seconds for the last readings, and prints readings/s ingested
 * (DCloud's accepted counter on /metrics over the run), readings/s delivered to the app, the
 * latency from publish to the app (p50/p99/max) and how many were lost. Exits 1 when any reading
 * the broker confirmed to a device never reached the app.
 *
 * <p>Arguments: --api URL --metrics URL --service NAME --type T --count N --rate R --duration S
 * --drain S --prefix P --cli-jar PATH; DCLOUD_TOKEN is the admin's token.
 */
public final class DevicesBenchmark {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern SUMMARY = Pattern.compile("summary: .*published=(\\d+) failed=(\\d+)");
  private static final Pattern ACCEPTED =
      Pattern.compile("(?m)^dcloud_device_readings_total\\{[^}]*outcome=\"accepted\"[^}]*} ([0-9.eE+-]+)$");

  private final Map<String, String> args;
  private final HttpClient http = HttpClient.newHttpClient();
  private final String token = System.getenv("DCLOUD_TOKEN");

  private DevicesBenchmark(Map<String, String> args) {
    this.args = args;
  }

  public static void main(String[] argv) throws Exception {
    Map<String, String> args = new HashMap<>();
    for (int i = 0; i + 1 < argv.length; i += 2) {
      args.put(argv[i].replaceFirst("^--", ""), argv[i + 1]);
    }
    System.exit(new DevicesBenchmark(args).run());
  }

  private String arg(String name) {
    String value = args.get(name);
    if (value == null) {
      throw new IllegalArgumentException("--" + name + " is missing");
    }
    return value;
  }

  private int run() throws Exception {
    String service = arg("service");
    JsonNode replicas = get("/services/" + service).path("replicas");
    String password = get("/environments/" + replicas.get(0).path("id").asText() + "/secrets")
        .path("secrets").path("DCLOUD_MQTT_PASSWORD").asText(null);
    if (password == null) {
      throw new IllegalStateException("the replica of " + service + " has no DCLOUD_MQTT_PASSWORD secret");
    }
    List<String> bound = new ArrayList<>();
    get("/services/" + service + "/bindings").path("items")
        .forEach(binding -> binding.path("devices").forEach(device -> bound.add(device.asText())));
    String broker = get("/devices/broker").path("url").asText();

    try (ReadingLatencies app = new ReadingLatencies(broker, service, password)) {
      app.subscribe(bound);
      say("subscribed as service-" + service + " to the readings of " + bound.size() + " bound devices");
      double acceptedBefore = accepted();
      long started = System.nanoTime();
      long[] simulated = simulate();
      double seconds = (System.nanoTime() - started) / 1e9;
      double acceptedDuring = accepted() - acceptedBefore;
      long published = simulated[0];
      long deadline = System.nanoTime() + Duration.ofSeconds(Long.parseLong(arg("drain"))).toNanos();
      while (app.received() < published && System.nanoTime() < deadline) {
        Thread.sleep(100);
      }
      return report(app, published, simulated[1], acceptedDuring, seconds, bound.size());
    }
  }

  /** Runs the CLI's simulator to its end: what it published (confirmed by the broker) and what failed. */
  private long[] simulate() throws IOException, InterruptedException {
    List<String> command = List.of("java", "-jar", arg("cli-jar"), "--api", arg("api"), "devices", "simulate",
        "--type", arg("type"), "--count", arg("count"), "--rate", arg("rate"), "--duration", arg("duration"),
        "--prefix", arg("prefix"));
    say("running " + String.join(" ", command));
    Process simulator = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    long[] counts = null;
    try (BufferedReader out = new BufferedReader(new InputStreamReader(simulator.getInputStream(), StandardCharsets.UTF_8))) {
      for (String line = out.readLine(); line != null; line = out.readLine()) {
        System.err.println("  simulate: " + line);
        Matcher summary = SUMMARY.matcher(line);
        if (summary.find()) {
          counts = new long[] {Long.parseLong(summary.group(1)), Long.parseLong(summary.group(2))};
        }
      }
    }
    if (simulator.waitFor() != 0 || counts == null) {
      throw new IllegalStateException("dcloud devices simulate failed (exit " + simulator.exitValue() + ")");
    }
    return counts;
  }

  private int report(ReadingLatencies app, long published, long failed, double accepted, double seconds, int devices) {
    long[] sorted = app.sorted();
    long lost = Math.max(0, published - app.received());
    System.out.printf(Locale.ROOT, "DCloud devices, %d devices at %s readings/s offered for %s s, everything on this machine%n",
        devices, arg("rate"), arg("duration"));
    System.out.printf(Locale.ROOT, "published %d (failed %d), ingested %.1f/s (accepted on /metrics), delivered %d"
        + " to the app (%.1f/s), lost %d, unreadable %d%n", published, failed, accepted / seconds, app.received(),
        app.received() / seconds, lost, app.unreadable());
    System.out.printf(Locale.ROOT, "publish to app: p50 %d ms, p99 %d ms, max %d ms%n",
        ReadingLatencies.percentile(sorted, 0.50), ReadingLatencies.percentile(sorted, 0.99),
        sorted.length == 0 ? -1 : sorted[sorted.length - 1]);
    System.out.printf(Locale.ROOT, "RESULT devices devices=%d published=%d received=%d lost=%d ingested_per_s=%.1f"
        + " delivered_per_s=%.1f p50_ms=%d p99_ms=%d max_ms=%d%n", devices, published, app.received(), lost,
        accepted / seconds, app.received() / seconds, ReadingLatencies.percentile(sorted, 0.50),
        ReadingLatencies.percentile(sorted, 0.99), sorted.length == 0 ? -1 : sorted[sorted.length - 1]);
    return lost > 0 ? 1 : 0;
  }

  /** DCloud's accepted readings so far (dcloud_device_readings_total{outcome="accepted"}), 0 before the first. */
  private double accepted() throws IOException, InterruptedException {
    String metrics = http.send(HttpRequest.newBuilder(URI.create(arg("metrics"))).GET().build(),
        HttpResponse.BodyHandlers.ofString()).body();
    Matcher matcher = ACCEPTED.matcher(metrics);
    double total = 0;
    while (matcher.find()) {
      total += Double.parseDouble(matcher.group(1));
    }
    return total;
  }

  private JsonNode get(String path) throws IOException, InterruptedException {
    HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(arg("api") + "/api/v1" + path))
        .header("Authorization", "Bearer " + token).GET().build(), HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() != 200) {
      throw new IllegalStateException("GET " + path + " answered " + response.statusCode() + ": " + response.body());
    }
    return JSON.readTree(response.body());
  }

  private static void say(String message) {
    System.err.println("bench-devices: " + message);
  }
}
