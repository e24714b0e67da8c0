package io.dcloud.metrics;

import io.dcloud.testing.Requirements;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Prometheus' own parser and linter ({@code promtool check metrics}, Debian's prometheus package,
 * which `./dcloud test` installs): a scrape it accepts is one Prometheus accepts.
 */
public final class Promtool {
  private Promtool() {}

  /** What promtool said and its exit status: 0 clean, 3 lint problems (one line each), else unparsable. */
  public record Result(int exitCode, String output) {
    public boolean parsed() {
      return exitCode == 0 || exitCode == 3 && !output.contains("parsing error");
    }

    /**
     * The lint problems of metrics whose names start with {@code prefix}. DCloud's own must have
     * none; Micrometer's JVM binders keep their names (e.g. system_cpu_count) whatever promtool says.
     */
    public List<String> problemsOf(String prefix) {
      return output.lines().filter(line -> line.startsWith(prefix)).toList();
    }
  }

  public static Result checkMetrics(String scrape) throws IOException, InterruptedException {
    Requirements.requireOrSkip(installed(), () -> "promtool is missing: 'apt-get install prometheus'");
    Process process = new ProcessBuilder("promtool", "check", "metrics").redirectErrorStream(true).start();
    try (OutputStream in = process.getOutputStream()) {
      in.write(scrape.getBytes(StandardCharsets.UTF_8));
    }
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!process.waitFor(30, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new IllegalStateException("promtool did not finish");
    }
    return new Result(process.exitValue(), output);
  }

  private static boolean installed() {
    return Stream.of(System.getenv("PATH").split(":")).anyMatch(dir -> Files.isExecutable(Path.of(dir, "promtool")));
  }
}
