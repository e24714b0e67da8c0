package io.dcloud.environment;

import static io.dcloud.contract.ContractReader.absent;
import static io.dcloud.contract.ContractReader.at;

import com.fasterxml.jackson.databind.JsonNode;
import io.dcloud.contract.ContractReader;
import io.dcloud.resources.Resources;
import io.dcloud.validation.ValidationException;
import java.util.List;

/**
 * A resize's body, {@code {"resources": {"cpu": 2, "ram": "4GB", "gpu": 1}}}: the resources of the
 * config's {@code resources}, read by its rules, each one left out kept as it is. Its volumes keep
 * the size they were created with, and its GPU model the kind it was placed for.
 */
public final class EnvironmentResize {
  static final String RESOURCES = EnvironmentSpecParser.RESOURCES;
  private static final List<String> FIXED = List.of("storage", "gpu-model");

  private EnvironmentResize() {}

  /**
   * The resources {@code body} asks for, from {@code current}.
   *
   * @throws ValidationException naming each field that cannot be read or changed
   */
  public static Resources parse(JsonNode body, Resources current) {
    if (body == null || !body.isObject()) {
      throw ValidationException.of(RESOURCES, "is required: a JSON object {\"resources\": {\"cpu\": …, \"ram\": …, \"gpu\": …}}");
    }
    SpecFieldReader in = new SpecFieldReader();
    in.refuseUnknownDocumentFields(ContractReader.ROOT, body, List.of(RESOURCES));
    JsonNode value = body.get(RESOURCES);
    if (absent(value) || value.isObject() && value.isEmpty()) {
      in.error(RESOURCES, "is required: the cpu, ram or gpu to change");
    } else if (value.isObject()) {
      for (String fixed : FIXED) {
        if (value.has(fixed)) {
          in.error(at(RESOURCES, fixed), fixed.equals("storage")
              ? "cannot change: a created environment's volumes keep the size they were created with"
              : "cannot change: create a new environment for another GPU model");
        }
      }
    }
    Resources next = absent(value) ? null : new ResourcesReader(in).resources(value, current);
    in.throwIfAny();
    return next;
  }
}
