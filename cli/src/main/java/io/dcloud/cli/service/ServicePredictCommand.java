package io.dcloud.cli.service;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dcloud.cli.common.ApiClient;
import io.dcloud.cli.common.CliException;
import io.dcloud.cli.common.ExitCodes;
import io.dcloud.cli.common.SpecFiles;
import io.dcloud.cli.common.Subcommand;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code dcloud services predict NAME -f FILE | --data JSON}: the model's predictions, printed as the
 * gateway answers them ({@code {"predictions": [...]}}). The input is {@code {"instances": [...]}} or
 * just the array of instances, or JSON lines (one instance each, the same file a job would take).
 */
@Command(name = "predict", description = "Predictions of a model service for some instances")
public final class ServicePredictCommand extends Subcommand implements Callable<Integer> {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Parameters(paramLabel = "NAME")
  String name;

  @ArgGroup(exclusive = true, multiplicity = "1")
  Input input;

  static final class Input {
    @Option(names = {"-f", "--file"}, paramLabel = "FILE",
        description = "The instances, JSON or YAML ('-': stdin); a .jsonl or .ndjson file: one instance a line, "
            + "as a job's input")
    String file;

    @Option(names = "--data", paramLabel = "JSON", description = "The instances inline, e.g. '{\"instances\": [[1, 2]]}'")
    String data;
  }

  @Override
  public Integer call() throws JsonProcessingException {
    JsonNode document = input.file == null ? inline(input.data)
        : isJsonLines(input.file) ? jsonLines(input.file) : SpecFiles.read(input.file, io().in());
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

  private static boolean isJsonLines(String file) {
    String lower = file.toLowerCase(Locale.ROOT);
    return lower.endsWith(".jsonl") || lower.endsWith(".ndjson");
  }

  /** One instance a non-empty line, as an inference job reads its input: the array of them. */
  private static ArrayNode jsonLines(String file) {
    ArrayNode instances = JsonNodeFactory.instance.arrayNode();
    try (BufferedReader lines = Files.newBufferedReader(Path.of(file), StandardCharsets.UTF_8)) {
      int number = 0;
      for (String line = lines.readLine(); line != null; line = lines.readLine()) {
        number++;
        if (!line.isBlank()) {
          instances.add(lineOf(file, number, line));
        }
      }
    } catch (NoSuchFileException e) {
      throw CliException.usage("no such file: " + file);
    } catch (IOException e) {
      throw CliException.usage("cannot read " + file + ": " + e.getMessage());
    }
    if (instances.isEmpty()) {
      throw CliException.usage(file + " has no instance: one JSON value a line");
    }
    return instances;
  }

  private static JsonNode lineOf(String file, int number, String line) {
    try {
      return JSON.readTree(line);
    } catch (JsonProcessingException e) {
      throw CliException.usage(file + " line " + number + " is not JSON: " + e.getOriginalMessage());
    }
  }

  private static JsonNode inline(String data) {
    try {
      return JSON.readTree(data);
    } catch (JsonProcessingException e) {
      throw CliException.usage("--data is not JSON: " + e.getOriginalMessage());
    }
  }
}
