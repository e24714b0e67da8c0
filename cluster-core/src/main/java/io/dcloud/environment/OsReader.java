package io.dcloud.environment;

import static io.dcloud.contract.ContractReader.absent;
import static io.dcloud.contract.ContractReader.at;
import static io.dcloud.contract.ContractReader.kindOf;
import static io.dcloud.environment.EnvironmentSpecParser.OS;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dcloud.spec.EnvironmentSpec.OsRelease;
import java.util.List;

/**
 * Reads {@code os} in either form: the seeds' catalog OS name ({@code "ubuntu"}) or the original
 * project's image object ({@code {"image-name": "ubuntu", "version": "22.04", "tags": "22.04"}}).
 * Whether the version and tags fit the catalog's image is the catalog's question, not this one's.
 */
final class OsReader {
  static final String IMAGE_NAME = "image-name";
  static final String VERSION = "version";
  static final String TAGS = "tags";
  private static final List<String> OBJECT_FIELDS = List.of(IMAGE_NAME, VERSION, TAGS);

  /** The catalog OS named, and the release asked for (null when none was). */
  record Os(String name, OsRelease release) {}

  private final SpecFieldReader in;

  OsReader(SpecFieldReader in) {
    this.in = in;
  }

  /** The OS, or null (after recording why) when the value names none. */
  Os os(JsonNode value) {
    if (absent(value) || value.isTextual()) {
      String name = in.requiredName(OS, value);
      return name == null ? null : new Os(name, null);
    }
    if (!value.isObject()) {
      in.error(OS, "must be a catalog OS name or an object with image-name, version and tags, not "
          + kindOf(value));
      return null;
    }
    ObjectNode object = in.object(OS, value, OBJECT_FIELDS);
    String name = in.requiredName(at(OS, IMAGE_NAME), object.get(IMAGE_NAME));
    JsonNode versionValue = object.get(VERSION);
    JsonNode tagsValue = object.get(TAGS);
    String version = in.versionOrNull(at(OS, VERSION), versionValue);
    String tags = in.versionOrNull(at(OS, TAGS), tagsValue);
    boolean releaseOk = (absent(versionValue) || version != null) && (absent(tagsValue) || tags != null);
    if (name == null || !releaseOk) {
      return null;
    }
    return new Os(name, version == null && tags == null ? null : new OsRelease(version, tags));
  }
}
