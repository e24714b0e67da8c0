package io.dcloud.app;

import io.dcloud.cli.Cli;
import io.dcloud.cli.common.CliIo;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/** The {@code dcloud} CLI run in this JVM as a script runs it: its environment, stdin, and what it printed. */
final class InProcessCli {
  record Result(int status, String out, String err) {}

  private InProcessCli() {}

  /** {@code environment}: the variables it sees (XDG_CONFIG_HOME for its stored login, or DCLOUD_API and DCLOUD_TOKEN). */
  static Result run(Map<String, String> environment, String stdin, String... args) {
    return run(environment, stdin, new ByteArrayOutputStream(), args);
  }

  /** As {@link #run}, printing into {@code out}, which a test may read while the command runs (a follow). */
  static Result run(Map<String, String> environment, String stdin, ByteArrayOutputStream out, String... args) {
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    CliIo io = new CliIo(new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)),
        new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8),
        environment, false);
    int status = Cli.run(io, args);
    return new Result(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }
}
