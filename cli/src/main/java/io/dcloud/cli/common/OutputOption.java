package io.dcloud.cli.common;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import java.io.PrintStream;
import java.util.function.Supplier;
import picocli.CommandLine.Option;

/** {@code -o table|json|yaml} of every command that reads something: the answer as the API gave it, or a table. */
public final class OutputOption {
  public enum Format { table, json, yaml }

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory()
      .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
      .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES));

  @Option(names = {"-o", "--output"}, defaultValue = "table", paramLabel = "FORMAT",
      description = "table (default), json or yaml")
  public Format format = Format.table;

  public void print(PrintStream out, JsonNode data, Supplier<Table> table) {
    try {
      switch (format) {
        case json -> out.println(JSON.writerWithDefaultPrettyPrinter().writeValueAsString(data));
        case yaml -> out.print(YAML.writeValueAsString(data));
        case table -> table.get().print(out);
      }
    } catch (JsonProcessingException e) {
      throw new CliException(ExitCodes.ERROR, "cannot print the answer: " + e.getMessage(), e);
    }
  }
}
