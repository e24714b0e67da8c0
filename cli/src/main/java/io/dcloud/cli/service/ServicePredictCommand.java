package io.dcloud.cli.service;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dcloud.cli.common.ApiClient;
import io.dcloud.cli.common.CliException;
import io.dcloud.cli.common.ExitCodes;
import io.dcloud.cli.common.SpecFiles;
import io.dcloud.cli.common.Subcommand;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code dcloud services predict NAME -f FILE | --data JSON}: the model's predictions, printed as the
 * gateway answers them ({@code {"predictions": [...]}}). The input is {@code {"instances": [...]}} or
 * just the array of instances.
 */
@Command(name = "predict", description = "Predictions of a model service for some instances")
public final class ServicePredictCommand extends Subcommand implements Callable<Integer> {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Parameters(paramLabel = "NAME")
  String name;

  @ArgGroup(exclusive = true, multiplicity = "1")
  Input input;

  static final class Input {
    @Option(names = {"-f", "--file"}, paramLabel = "FILE", description = "The instances, JSON or YAML ('-': stdin)")
    String file;

    @Option(names = "--data", paramLabel = "JSON", description = "The instances inline, e.g. '{\"instances\": [[1, 2]]}'")
    String data;
  }

  @Override
  public Integer call() throws JsonProcessingException {
    JsonNode document = input.file != null ? SpecFiles.read(input.file, io().in()) : inline(input.data);
    JsonNode answer = client().post("/services/" + ApiClient.segment(name) + "/predict", body(document));
    io().out().println(JSON.writerWithDefaultPrettyPrinter().writeValueAsString(answer));
    return ExitCodes.OK;
  }

  /** A bare array is the instances. */
  public static JsonNode body(JsonNode document) {
    if (document.isArray()) {
      ObjectNode body = JsonNodeFactory.instance.objectNode();
      body.set("instances", document);
      return body;
    }
    return document;
  }

  private static JsonNode inline(String data) {
    try {
      return JSON.readTree(data);
    } catch (JsonProcessingException e) {
      throw CliException.usage("--data is not JSON: " + e.getOriginalMessage());
    }
  }
}
