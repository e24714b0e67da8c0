package io.dcloud.cli.common;

import java.io.Console;
import java.io.InputStream;
import java.io.PrintStream;
import java.util.Map;

/**
 * Everything the CLI touches outside itself: its streams, its environment variables and whether a
 * person sits at a terminal. Tests pass their own, so the commands run in-process with captured
 * output and an injected stdin.
 *
 * @param terminal stdin and stdout are a terminal: passwords are asked without echo, exec is interactive
 *     and progress lines redraw in place
 */
public record CliIo(InputStream in, PrintStream out, PrintStream err, Map<String, String> env, boolean terminal) {

  public static CliIo system() {
    // System.console() exists exactly when stdin and stdout are both a terminal.
    return new CliIo(System.in, System.out, System.err, System.getenv(), System.console() != null);
  }

  /** A password typed without echo, or null when there is no terminal to ask on. */
  char[] readPassword(String prompt) {
    Console console = terminal ? System.console() : null;
    return console == null ? null : console.readPassword("%s", prompt);
  }

  /** The variable's value, or null when unset or blank. */
  public String variable(String name) {
    String value = env.get(name);
    return value == null || value.isBlank() ? null : value;
  }
}
