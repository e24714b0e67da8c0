package io.dcloud.gateway.device;

import static io.dcloud.contract.ContractReader.absent;
import static io.dcloud.contract.ContractReader.kindOf;
import static io.dcloud.contract.ContractReader.quote;

import com.fasterxml.jackson.databind.JsonNode;
import io.dcloud.device.Device;
import io.dcloud.device.DeviceSecrets;
import io.dcloud.device.Location;
import io.dcloud.validation.FieldError;
import io.dcloud.validation.ValidationException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads {@code POST /devices}: {@code {id, type, location: {site?, building?, room?, lat?, lon?},
 * metadata?: {k: "v"}}}. Whether the type exists is the registry's to say (field {@code type}).
 */
final class DeviceRequests {
  /** {@code GET /devices/broker} is a route, so no device may be called that. */
  static final String RESERVED_ID = DeviceRoutes.BROKER;
  private static final Set<String> FIELDS = Set.of("id", "type", "location", "metadata");
  private static final Set<String> LOCATION_FIELDS = Set.of("site", "building", "room", "lat", "lon");
  private static final int MAX_TEXT = 128;
  private static final int MAX_METADATA = 32;

  private DeviceRequests() {}

  static Device parse(JsonNode body, String by, Instant at) {
    if (body == null || !body.isObject()) {
      throw ValidationException.of("$", "must be an object with id, type, location and metadata");
    }
    List<FieldError> errors = new ArrayList<>();
    SensorTypeRequests.unknown("", body, FIELDS, errors);
    String id = name("id", body.get("id"), errors);
    if (RESERVED_ID.equals(id)) {
      errors.add(new FieldError("id", "\"" + RESERVED_ID + "\" is reserved (GET /devices/broker): choose another id"));
    }
    String type = name("type", body.get("type"), errors);
    Location location = location(body.get("location"), errors);
    Map<String, String> metadata = metadata(body.get("metadata"), errors);
    if (!errors.isEmpty()) {
      throw new ValidationException(errors);
    }
    return new Device(id, type, location, metadata, true, DeviceSecrets.newNonce(), by, at);
  }

  private static String name(String field, JsonNode value, List<FieldError> errors) {
    if (absent(value)) {
      errors.add(new FieldError(field, "is required"));
    } else if (!value.isTextual()) {
      errors.add(new FieldError(field, "must be a string, not " + kindOf(value)));
    } else if (!SensorTypeRequests.isValidName(value.textValue())) {
      errors.add(new FieldError(field, quote(value.textValue(), 70) + " must be 1 to 63 lowercase letters, digits, "
          + "'_', '.' and '-', starting with a letter or digit"));
    } else {
      return value.textValue();
    }
    return null;
  }

  private static Location location(JsonNode value, List<FieldError> errors) {
    if (absent(value)) {
      errors.add(new FieldError("location", "is required: {\"site\": ...} and/or {\"lat\": ..., \"lon\": ...}"));
      return null;
    } else if (!value.isObject()) {
      errors.add(new FieldError("location", "must be an object with site, building, room, lat and lon, not "
          + kindOf(value)));
      return null;
    }
    int before = errors.size();
    SensorTypeRequests.unknown("location.", value, LOCATION_FIELDS, errors);
    String site = text("location.site", value.get("site"), errors);
    String building = text("location.building", value.get("building"), errors);
    String room = text("location.room", value.get("room"), errors);
    Double lat = degrees("location.lat", value.get("lat"), 90, errors);
    Double lon = degrees("location.lon", value.get("lon"), 180, errors);
    if (errors.size() > before) {
      return null;
    }
    if ((lat == null) != (lon == null)) {
      errors.add(new FieldError(lat == null ? "location.lat" : "location.lon", "a point needs both lat and lon"));
    } else if (site == null && lat == null) {
      errors.add(new FieldError("location", "needs a site or a point (lat and lon)"));
    } else if (site == null && (building != null || room != null)) {
      errors.add(new FieldError("location.site", "is required with a building or a room"));
    }
    return new Location(site, building, room, lat, lon);
  }

  private static String text(String field, JsonNode value, List<FieldError> errors) {
    if (absent(value)) {
      return null;
    } else if (!value.isTextual() || value.textValue().isBlank() || value.textValue().length() > MAX_TEXT) {
      errors.add(new FieldError(field, "must be a non-blank string of at most " + MAX_TEXT + " characters"));
      return null;
    }
    return value.textValue();
  }

  private static Double degrees(String field, JsonNode value, double bound, List<FieldError> errors) {
    if (absent(value)) {
      return null;
    } else if (!value.isNumber() || !(Math.abs(value.doubleValue()) <= bound)) {
      errors.add(new FieldError(field, "must be a number from " + (-bound) + " to " + bound + ", not "
          + (value.isNumber() ? value.asText() : kindOf(value))));
      return null;
    }
    return value.doubleValue();
  }

  private static Map<String, String> metadata(JsonNode value, List<FieldError> errors) {
    if (absent(value)) {
      return Map.of();
    } else if (!value.isObject() || value.size() > MAX_METADATA) {
      errors.add(new FieldError("metadata", "must be an object of at most " + MAX_METADATA + " string values"));
      return null;
    }
    Map<String, String> metadata = new LinkedHashMap<>();
    for (Map.Entry<String, JsonNode> entry : value.properties()) {
      String field = "metadata." + entry.getKey();
      if (entry.getKey().isEmpty() || entry.getKey().length() > MAX_TEXT) {
        errors.add(new FieldError(field, "keys are 1 to " + MAX_TEXT + " characters"));
      } else if (!entry.getValue().isTextual() || entry.getValue().textValue().length() > MAX_TEXT) {
        errors.add(new FieldError(field, "must be a string of at most " + MAX_TEXT + " characters, not "
            + kindOf(entry.getValue())));
      } else {
        metadata.put(entry.getKey(), entry.getValue().textValue());
      }
    }
    return metadata;
  }
}
