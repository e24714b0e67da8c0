package io.dcloud.environment;

import static io.dcloud.contract.ContractReader.absent;
import static io.dcloud.contract.ContractReader.at;
import static io.dcloud.contract.ContractReader.kindOf;
import static io.dcloud.environment.EnvironmentSpecParser.MAX_PATH_LENGTH;
import static io.dcloud.environment.EnvironmentSpecParser.MAX_STORAGE_BYTES;
import static io.dcloud.environment.EnvironmentSpecParser.STORAGE;
import static io.dcloud.environment.SpecFieldReader.hasControlCharacter;
import static io.dcloud.resources.Quantities.quote;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dcloud.resources.Quantities;
import io.dcloud.spec.EnvironmentSpec.KeptVolume;
import io.dcloud.spec.EnvironmentSpec.Lifecycle;
import io.dcloud.spec.EnvironmentSpec.VolumeSpec;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Reads {@code storage}: the volumes mounted into the container. A bare size is bytes here
 * ({@code "size": "10737418240"}), as the original project wrote it and Docker and Kubernetes read
 * it; a missing lifecycle means temporary, since that project never wrote one. {@code volume} names
 * a volume an earlier environment kept, to mount again: persistent, and its size its environment's
 * unless given (0 here until the gateway has read it).
 */
final class StorageReader {
  private static final List<String> VOLUME_FIELDS = List.of("target", "size", "lifecycle", "volume");

  /** The names DCloud gives the volumes it makes ({@code dcloud-<node>-<environment>-<n>}), as Docker allows them. */
  private static final Pattern KEPT_VOLUME_NAME = Pattern.compile("dcloud-[a-zA-Z0-9_.-]+");
  private static final int MAX_VOLUME_NAME_LENGTH = 255;

  /** What one unit of a bare volume size is: a byte. */
  private static final long BARE_SIZE_UNIT = 1;

  /** Mounting over these would hide or break the kernel interfaces the container itself needs. */
  private static final List<String> FORBIDDEN_MOUNT_ROOTS = List.of("/proc", "/sys", "/dev");

  private final SpecFieldReader in;
  private final SpecLimits limits;

  StorageReader(SpecFieldReader in, SpecLimits limits) {
    this.in = in;
    this.limits = limits;
  }

  List<VolumeSpec> volumes(JsonNode value) {
    List<JsonNode> elements = in.boundedArray(STORAGE, value, limits.maxVolumes(), "volumes");
    if (elements == null) {
      return null;
    }
    List<VolumeSpec> volumes = new ArrayList<>();
    Map<String, String> targetsSeen = new HashMap<>();
    Map<String, String> keptSeen = new HashMap<>();
    for (int i = 0; i < elements.size(); i++) {
      String field = at(STORAGE, i);
      ObjectNode entry = in.object(field, elements.get(i), VOLUME_FIELDS);
      if (entry == null) {
        continue;
      }
      String targetField = at(field, "target");
      String target = mountTarget(targetField, entry.get("target"));
      String volumeField = at(field, "volume");
      KeptVolume kept = absent(entry.get("volume")) ? null : kept(volumeField, entry.get("volume"));
      boolean keeps = !absent(entry.get("volume"));
      // A kept volume's size is what its environment gave it, unless given again.
      Long size = keeps && absent(entry.get("size")) ? Long.valueOf(0) : size(at(field, "size"), entry.get("size"));
      Lifecycle lifecycle = lifecycle(at(field, "lifecycle"), entry.get("lifecycle"), keeps);
      if (target != null) {
        String earlier = targetsSeen.putIfAbsent(target, field);
        if (earlier != null) {
          in.error(targetField, quote(target) + " is already mounted by " + earlier);
          continue;
        }
      }
      if (kept != null) {
        String earlier = keptSeen.putIfAbsent(kept.name(), field);
        if (earlier != null) {
          in.error(volumeField, quote(kept.name()) + " is already mounted by " + earlier);
          continue;
        }
      }
      if (target != null && size != null && lifecycle != null && (kept != null || !keeps)) {
        volumes.add(new VolumeSpec(target, size, lifecycle, kept));
      }
    }
    return List.copyOf(volumes);
  }

  /**
   * An absolute, normalized container path that Docker's mount syntax cannot misread and that
   * does not hide the container's root or kernel interfaces.
   */
  private String mountTarget(String field, JsonNode value) {
    if (absent(value)) {
      in.error(field, "is required: give an absolute path in the container, e.g. /data");
      return null;
    }
    if (!value.isTextual()) {
      in.error(field, "must be a string, not " + kindOf(value));
      return null;
    }
    String target = value.textValue();
    if (target.length() > MAX_PATH_LENGTH) {
      in.error(field, "is " + target.length() + " characters long: use at most " + MAX_PATH_LENGTH);
      return null;
    }
    // ':' and ',' separate the parts of Docker's -v and --mount syntax.
    if (target.indexOf(':') >= 0 || target.indexOf(',') >= 0 || hasControlCharacter(target)) {
      in.error(field, quote(target) + " must not contain ':', ',' or line breaks");
      return null;
    }
    if (!target.startsWith("/")) {
      in.error(field, quote(target) + " is not an absolute path: start it with /, e.g. /data");
      return null;
    }
    List<String> segments = new ArrayList<>();
    for (String segment : target.split("/")) {
      if (segment.equals("..")) {
        in.error(field, quote(target) + " must not contain a .. segment");
        return null;
      }
      if (!segment.isEmpty() && !segment.equals(".")) {
        segments.add(segment);
      }
    }
    String normalized = "/" + String.join("/", segments);
    if (normalized.equals("/")) {
      in.error(field, "cannot be / (the container's root): mount somewhere below it, e.g. /data");
      return null;
    }
    if (!normalized.equals(target)) {
      in.error(field, quote(target) + " is not normalized: write " + normalized);
      return null;
    }
    for (String root : FORBIDDEN_MOUNT_ROOTS) {
      if (target.equals(root) || target.startsWith(root + "/")) {
        in.error(field, quote(target) + " is under " + root + ", which the container needs: mount somewhere"
            + " else, e.g. /data");
        return null;
      }
    }
    return target;
  }

  private Long size(String field, JsonNode value) {
    if (absent(value)) {
      in.error(field, "is required: give a size such as 512M or 2G");
      return null;
    }
    Long size = in.attempt(() -> Quantities.bytes(field, value, BARE_SIZE_UNIT));
    if (size != null && size <= 0) {
      in.error(field, "must be more than 0");
      return null;
    }
    if (size != null && size > MAX_STORAGE_BYTES) {
      in.error(field, "must be at most " + Quantities.formatSize(MAX_STORAGE_BYTES));
      return null;
    }
    return size;
  }

  /** Temporary when absent, but for a kept volume: persistent, and only that. */
  private Lifecycle lifecycle(String field, JsonNode value, boolean kept) {
    if (absent(value)) {
      return kept ? Lifecycle.PERSISTENT : Lifecycle.TEMPORARY;
    }
    String text = in.name(field, value);
    if (text == null) {
      return null;
    }
    Lifecycle lifecycle = switch (text.toLowerCase(Locale.ROOT)) {
      case "temporary" -> Lifecycle.TEMPORARY;
      case "persistent" -> Lifecycle.PERSISTENT;
      default -> {
        in.error(field, quote(text) + " is not a lifecycle: use temporary or persistent");
        yield null;
      }
    };
    if (kept && lifecycle == Lifecycle.TEMPORARY) {
      in.error(field, "a kept volume is persistent: its data outlives this environment as it outlived the last");
      return null;
    }
    return lifecycle;
  }

  /** A volume an earlier environment left, by the name its {@code persistentVolumes} listed. */
  private KeptVolume kept(String field, JsonNode value) {
    if (!value.isTextual()) {
      in.error(field, "must be a string, not " + kindOf(value));
      return null;
    }
    String name = value.textValue();
    if (name.length() > MAX_VOLUME_NAME_LENGTH) {
      in.error(field, "is " + name.length() + " characters long: use at most " + MAX_VOLUME_NAME_LENGTH);
      return null;
    }
    if (!KEPT_VOLUME_NAME.matcher(name).matches()) {
      in.error(field, quote(name) + " is not a DCloud volume: name one an environment's persistentVolumes listed,"
          + " e.g. dcloud-node1-<environment id>-0");
      return null;
    }
    return new KeptVolume(name, null);
  }
}
