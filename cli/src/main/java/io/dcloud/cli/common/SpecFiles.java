package io.dcloud.cli.common;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/** {@code -f FILE}: a YAML or JSON document (JSON is YAML too), or stdin for {@code -f -}. */
public final class SpecFiles {
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  private SpecFiles() {}

  public static JsonNode read(String file, InputStream stdin) {
    try {
      JsonNode document = file.equals("-") ? YAML.readTree(stdin) : YAML.readTree(Files.readAllBytes(Path.of(file)));
      if (document == null || document.isMissingNode()) {
        throw CliException.usage(file + " is empty");
      }
      return document;
    } catch (NoSuchFileException e) {
      throw CliException.usage("no such file: " + file);
    } catch (IOException e) {
      throw CliException.usage("cannot read " + file + ": " + e.getMessage().lines().findFirst().orElse(""));
    }
  }
}
