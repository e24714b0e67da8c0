package io.dcloud.cli.env;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dcloud.cli.common.ApiClient;
import io.dcloud.cli.common.CliException;
import io.dcloud.cli.common.ExitCodes;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code dcloud env exec ID [-t|-T] [-i] -- command args...}: at a terminal (or with -t) an interactive
 * session over the exec WebSocket; otherwise one run through {@code POST /exec}, whose output is
 * printed when the command ends. Exits with the command's exit status.
 */
@Command(name = "exec", description = "Run a command in a RUNNING environment (put it after --)")
final class EnvExecCommand extends EnvironmentCommand implements Callable<Integer> {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Parameters(index = "1..*", arity = "1..*", paramLabel = "COMMAND", description = "The command and its arguments")
  List<String> command;

  @Option(names = {"-t", "--tty"}, description = "Interactive, with a terminal (the default when stdin is a terminal)")
  boolean tty;

  @Option(names = {"-T", "--no-tty"}, description = "Non-interactive even at a terminal (output when the command ends)")
  boolean noTty;

  @Option(names = {"-i", "--stdin"}, description = "Non-interactive: send all of stdin to the command")
  boolean stdin;

  @Option(names = "--timeout", paramLabel = "DURATION", description = "Non-interactive: give up after e.g. 30s")
  String timeout;

  @Override
  public Integer call() throws IOException {
    ApiClient client = client();
    if (tty && noTty) {
      throw CliException.usage("-t and -T contradict each other");
    }
    if (tty || (io().terminal() && !noTty)) {
      return new InteractiveExec(io(), client).run(id(), command, true);
    }
    ObjectNode request = JSON.createObjectNode();
    command.forEach(request.putArray("command")::add);
    if (stdin) {
      request.put("stdin", new String(io().in().readAllBytes(), StandardCharsets.UTF_8));
    }
    if (timeout != null) {
      request.put("timeout", timeout);
    }
    JsonNode result = client.post(path() + "/exec", request);
    io().out().print(result.path("stdout").asText(""));
    io().err().print(result.path("stderr").asText(""));
    if (result.path("truncated").asBoolean(false)) {
      io().err().println("dcloud: the output was cut at the gateway's limit");
    }
    if (result.path("timedOut").asBoolean(false) || result.path("exitCode").isNull()) {
      throw new CliException(ExitCodes.ERROR, "the command did not end in time and was stopped");
    }
    return result.path("exitCode").asInt();
  }
}
