package io.dcloud.identity;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.Config;
import io.dcloud.resources.Quantities;
import io.dcloud.validation.FieldError;
import io.dcloud.validation.ValidationException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

/**
 * Reads a quota as users write resources ({@code "cpu": "4", "ram": "16G"}), with the same
 * quantity syntax and errors as an environment's resources, from the API or from config.
 */
public final class QuotaReader {
  private static final Set<String> FIELDS = Set.of("cpu", "ram", "gpu", "environments", "storage");
  private static final ObjectMapper CONFIG_VALUES = new ObjectMapper();

  private QuotaReader() {}

  /** {@code prefix} names the field in errors ({@code "quota"} or a config path). An absent field is no limit. */
  public static Quota read(String prefix, JsonNode quota) {
    if (quota == null || !quota.isObject()) {
      throw ValidationException.of(prefix, "must be an object such as {\"cpu\": \"4\", \"ram\": \"16G\"}");
    }
    List<FieldError> unknown = new ArrayList<>();
    for (Iterator<String> names = quota.fieldNames(); names.hasNext(); ) {
      String name = names.next();
      if (!FIELDS.contains(name)) {
        unknown.add(new FieldError(prefix + "." + name, "not a quota field: use " + String.join(", ", FIELDS.stream().sorted().toList())));
      }
    }
    if (!unknown.isEmpty()) {
      throw new ValidationException(unknown);
    }
    return new Quota(
        present(quota, "cpu") ? Quantities.milliCpus(prefix + ".cpu", quota.get("cpu")) : null,
        present(quota, "ram") ? Quantities.bytes(prefix + ".ram", quota.get("ram")) : null,
        present(quota, "gpu") ? Quantities.count(prefix + ".gpu", quota.get("gpu")) : null,
        present(quota, "environments") ? Quantities.count(prefix + ".environments", quota.get("environments")) : null,
        present(quota, "storage") ? Quantities.bytes(prefix + ".storage", quota.get("storage")) : null);
  }

  /** A quota written in HOCON; a malformed one fails the node's start, not a request. */
  public static Quota fromConfig(String path, Config config) {
    return read(path, CONFIG_VALUES.valueToTree(config.root().unwrapped()));
  }

  private static boolean present(JsonNode quota, String field) {
    return quota.hasNonNull(field);
  }
}
