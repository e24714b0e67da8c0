package io.dcloud.cli;

import io.dcloud.cli.common.CliIo;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/** Runs the CLI in this JVM as a script would: its own config folder, variables, stdin; output captured. */
public final class CliRunner {
  public record Result(int status, String out, String err) {
    @Override
    public String toString() {
      return "exit " + status + "\n--- out\n" + out + "--- err\n" + err;
    }
  }

  private final Map<String, String> env = new HashMap<>();

  public CliRunner(Path configHome) {
    env.put("XDG_CONFIG_HOME", configHome.toString());
  }

  public CliRunner with(String variable, String value) {
    env.put(variable, value);
    return this;
  }

  Result run(String... args) {
    return runWithStdin("", args);
  }

  public Result runWithStdin(String stdin, String... args) {
    return execute(stdin, new ByteArrayOutputStream(), new ByteArrayOutputStream(), args);
  }

  /** A run on a thread of its own (a command that runs until stopped, as --follow): its output as it comes, its result. */
  record Running(ByteArrayOutputStream out, ByteArrayOutputStream err, CompletableFuture<Result> result) {
    String outSoFar() {
      return out.toString(StandardCharsets.UTF_8);
    }

    String errSoFar() {
      return err.toString(StandardCharsets.UTF_8);
    }
  }

  Running start(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    CompletableFuture<Result> result = CompletableFuture.supplyAsync(
        () -> execute("", out, err, args), task -> {
          Thread thread = new Thread(task, "cli " + String.join(" ", args));
          thread.setDaemon(true);
          thread.start();
        });
    return new Running(out, err, result);
  }

  private Result execute(String stdin, ByteArrayOutputStream out, ByteArrayOutputStream err, String... args) {
    CliIo io = new CliIo(new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)),
        new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8),
        Map.copyOf(env), false);
    int status = Cli.run(io, args);
    return new Result(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }
}
