package io.dcloud.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.dockerjava.api.command.InspectVolumeResponse;
import com.github.dockerjava.api.exception.ConflictException;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.transport.DockerHttpClient;
import io.dcloud.contracts.EnvironmentNames;
import io.dcloud.deploy.ContainerRuntime.VolumeInfo;
import io.dcloud.deploy.ContainerRuntime.VolumeRemoval;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The named volumes a node made for environments, found by the labels they were made with: what an
 * operator lists to find the persistent volumes that outlived their environment, and removes.
 * Volumes of other nodes or not DCloud's are neither listed nor removed.
 */
final class ManagedVolumes {
  private static final Logger log = LoggerFactory.getLogger(ManagedVolumes.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int HTTP_OK = 200;

  private final DockerSettings settings;
  private final DaemonCalls calls;
  private final EngineConnection engine;

  ManagedVolumes(DockerSettings settings, DaemonCalls calls, EngineConnection engine) {
    this.settings = settings;
    this.calls = calls;
    this.engine = engine;
  }

  List<VolumeInfo> list(String nodeId) {
    List<JsonNode> all = volumes(nodeId, false);
    // Dangling: mounted by no container, running or not (the engine's own notion, one more call).
    Set<String> unused = volumes(nodeId, true).stream().map(volume -> volume.path("Name").asText()).collect(Collectors.toSet());
    return all.stream()
        .map(volume -> new VolumeInfo(volume.path("Name").asText(), text(volume.path("Labels"), EnvironmentNames.ENV_LABEL),
            text(volume.path("Labels"), EnvironmentNames.VOLUME_TARGET_LABEL), createdAt(volume),
            !unused.contains(volume.path("Name").asText())))
        .sorted(Comparator.comparing(VolumeInfo::name))
        .toList();
  }

  VolumeRemoval remove(String nodeId, String name) {
    return calls.call("removing volume " + name, settings.callTimeout(), () -> {
      InspectVolumeResponse volume;
      try {
        volume = engine.client().inspectVolumeCmd(name).exec();
      } catch (NotFoundException missing) {
        return VolumeRemoval.NOT_FOUND;
      }
      if (!nodeId.equals(label(volume, EnvironmentNames.NODE_LABEL)) || label(volume, EnvironmentNames.ENV_LABEL) == null) {
        return VolumeRemoval.NOT_FOUND;
      }
      try {
        engine.client().removeVolumeCmd(name).exec();
      } catch (NotFoundException goneMeanwhile) {
        return VolumeRemoval.NOT_FOUND;
      } catch (ConflictException inUse) {
        return VolumeRemoval.IN_USE;
      }
      log.info("removed volume {} of environment {} on node {}", name, label(volume, EnvironmentNames.ENV_LABEL), nodeId);
      return VolumeRemoval.REMOVED;
    });
  }

  /**
   * The engine's own listing, read raw: docker-java's volume model drops {@code CreatedAt}, which an
   * operator deciding what to remove wants to see.
   */
  private List<JsonNode> volumes(String nodeId, boolean danglingOnly) {
    ObjectNode filters = JSON.createObjectNode();
    filters.putArray("label").add(EnvironmentNames.NODE_LABEL + "=" + nodeId).add(EnvironmentNames.ENV_LABEL);
    if (danglingOnly) {
      filters.putArray("dangling").add("true");
    }
    JsonNode answer = get("/volumes?filters=" + URLEncoder.encode(filters.toString(), StandardCharsets.UTF_8),
        "listing the volumes of node " + nodeId);
    List<JsonNode> volumes = new ArrayList<>();
    answer.path("Volumes").forEach(volumes::add);
    return volumes;
  }

  /**
   * The engine's {@code docker system df}: {@code type=volume} spares an engine from API 1.42 on the
   * images' and containers' sizes (an older one ignores it). A listing answers without sizes when the
   * engine cannot give them, so a failure here is no failure.
   */
  Map<String, Long> usage() {
    try {
      JsonNode usage = get("/system/df?type=volume", "reading the volumes' disk usage");
      Map<String, Long> used = new HashMap<>();
      usage.path("Volumes").forEach(volume -> {
        long size = volume.path("UsageData").path("Size").asLong(-1);
        if (size >= 0) {
          used.put(volume.path("Name").asText(), size);
        }
      });
      return used;
    } catch (RuntimeException unknown) {
      log.debug("the engine did not say its volumes' disk usage: {}", unknown.getMessage());
      return Map.of();
    }
  }

  /** One of the engine's answers, read raw (the path after the API version). */
  private JsonNode get(String path, String doing) {
    return calls.call(doing, settings.callTimeout(), () -> {
      EngineConnection.Pinned pinned = engine.pinned();
      DockerHttpClient.Request request = DockerHttpClient.Request.builder()
          .method(DockerHttpClient.Request.Method.GET)
          .path("/v" + pinned.apiVersion() + path)
          .build();
      try (DockerHttpClient.Response response = pinned.http().execute(request)) {
        JsonNode answer = JSON.readTree(response.getBody());
        if (response.getStatusCode() != HTTP_OK) {
          throw new RuntimeFailure("the Docker Engine refused " + doing + ": "
              + answer.path("message").asText("HTTP status " + response.getStatusCode()));
        }
        return answer;
      }
    });
  }

  private static String label(InspectVolumeResponse volume, String key) {
    Map<String, String> labels = volume.getLabels();
    return labels == null ? null : labels.get(key);
  }

  private static String text(JsonNode object, String field) {
    JsonNode value = object.path(field);
    return value.isTextual() ? value.asText() : null;
  }

  private static Instant createdAt(JsonNode volume) {
    String text = text(volume, "CreatedAt");
    if (text == null) {
      return null;
    }
    try {
      return OffsetDateTime.parse(text).toInstant();
    } catch (DateTimeParseException unexpected) {
      return null;
    }
  }
}
