package io.dcloud.gateway.environment;

import io.dcloud.environment.SpecLimits;
import io.dcloud.gateway.common.Problem;
import io.dcloud.validation.FieldError;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The query of an interactive command ({@code GET /environments/{id}/exec?command=…&tty=…}): the
 * argv as repeated {@code command} parameters (default {@code bash}), bounded as a spec's command
 * is, and whether it gets a terminal. Bad ones are a 400 naming the parameter.
 */
record ShellRequest(List<String> command, boolean tty) {
  static final List<String> DEFAULT_COMMAND = List.of("bash");
  private static final String COMMAND = "command";
  private static final String TTY = "tty";

  static ShellRequest read(List<String> command, Optional<String> tty, SpecLimits limits) {
    List<FieldError> errors = new ArrayList<>();
    List<String> argv = command.isEmpty() ? DEFAULT_COMMAND : List.copyOf(command);
    if (argv.size() > limits.maxCommandArgs()) {
      errors.add(new FieldError(COMMAND, "lists " + argv.size() + " arguments: at most " + limits.maxCommandArgs()
          + " are allowed"));
    }
    long bytes = 0;
    for (int i = 0; i < argv.size(); i++) {
      if (argv.get(i).indexOf('\0') >= 0) {
        errors.add(new FieldError(COMMAND + "[" + i + "]", "must not contain a NUL character"));
      }
      bytes += argv.get(i).getBytes(StandardCharsets.UTF_8).length;
    }
    if (argv.get(0).isBlank()) {
      errors.add(new FieldError(COMMAND + "[0]", "must name the program to run"));
    }
    if (bytes > limits.maxCommandBytes()) {
      errors.add(new FieldError(COMMAND, "holds " + bytes + " bytes of arguments: at most " + limits.maxCommandBytes()
          + " are allowed"));
    }
    String terminal = tty.map(t -> t.strip().toLowerCase(Locale.ROOT)).orElse("false");
    if (!terminal.equals("true") && !terminal.equals("false")) {
      errors.add(new FieldError(TTY, "must be true or false, not \"" + tty.get() + "\""));
    }
    if (!errors.isEmpty()) {
      throw Problem.of(Problem.Type.MALFORMED_REQUEST, "the interactive command's query is not valid", errors).exception();
    }
    return new ShellRequest(argv, terminal.equals("true"));
  }
}
