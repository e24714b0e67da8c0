package io.dcloud.template;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The templates DCloud ships: {@code python-ml}, {@code pytorch} and {@code jupyter}, all on the
 * default catalog's {@code debian}, so they build where only Debian's mirror is reachable.
 */
public final class DefaultTemplates {

  static final String RESOURCE = "/io/dcloud/template/default-templates.json";

  private DefaultTemplates() {}

  /**
   * The shipped templates, in file order. A malformed resource is a packaging bug, reported as an
   * {@link IllegalStateException}; that each spec parses and fits the catalog is checked by tests.
   */
  public static List<Template> load() {
    JsonNode root;
    try (InputStream in = DefaultTemplates.class.getResourceAsStream(RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException("missing classpath resource " + RESOURCE);
      }
      root = new ObjectMapper().readTree(in);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + RESOURCE, e);
    }
    if (!root.isArray()) {
      throw new IllegalStateException(RESOURCE + " must hold a JSON array of templates");
    }
    List<Template> templates = new ArrayList<>();
    for (JsonNode entry : root) {
      JsonNode name = entry.path("name");
      JsonNode spec = entry.path("spec");
      if (!name.isTextual() || !spec.isObject()) {
        throw new IllegalStateException(RESOURCE + ": every template needs a string name and an object spec");
      }
      templates.add(new Template(name.textValue(), entry.path("description").asText(""), spec));
    }
    return List.copyOf(templates);
  }
}
