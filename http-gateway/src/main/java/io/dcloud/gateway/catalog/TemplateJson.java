package io.dcloud.gateway.catalog;

import com.fasterxml.jackson.databind.JsonNode;
import io.dcloud.gateway.common.ApiPaths;
import io.dcloud.template.Template;
import java.util.List;

/** A template as the API shows it: the stored config in contract form, and where to use it. */
/** {@code owner} is null for the platform's built-in templates. */
record TemplateJson(String name, String description, JsonNode spec, String owner, boolean builtIn, Links links) {

  record Links(String self, String environments) {}

  record Listing(List<TemplateJson> templates) {}

  static TemplateJson of(Template template) {
    String self = ApiPaths.template(template.name());
    return new TemplateJson(
        template.name(), template.description(), template.spec(), template.owner(), template.builtIn(),
        new Links(self, self + "/" + ApiPaths.ENVIRONMENTS));
  }
}
