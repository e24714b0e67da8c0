package io.dcloud.environment;

import static io.dcloud.contract.ContractReader.absent;
import static io.dcloud.contract.ContractReader.at;
import static io.dcloud.environment.EnvironmentSpecParser.DEFAULT_PROTOCOL;
import static io.dcloud.environment.EnvironmentSpecParser.MAX_PORT;
import static io.dcloud.environment.EnvironmentSpecParser.MIN_PORT;
import static io.dcloud.environment.EnvironmentSpecParser.PORT_PUBLISH;
import static io.dcloud.resources.Quantities.quote;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dcloud.resources.Quantities;
import io.dcloud.spec.EnvironmentSpec.PortSpec;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Reads {@code port-publish}: each entry's container port and protocol, and the host port if one is
 * asked for. A port/protocol pair may be published once, on either side, and a host port only where
 * {@link HostPortPolicy} allows.
 */
final class PortsReader {
  private static final List<String> PORT_FIELDS = List.of("external", "internal");
  private static final List<String> EXTERNAL_PORT_FIELDS = List.of("ports");
  private static final List<String> INTERNAL_PORT_FIELDS = List.of("ports", "protocol");
  private static final Set<String> PROTOCOLS = Set.of("tcp", "udp");

  private final SpecFieldReader in;
  private final SpecLimits limits;

  PortsReader(SpecFieldReader in, SpecLimits limits) {
    this.in = in;
    this.limits = limits;
  }

  List<PortSpec> ports(JsonNode value) {
    List<JsonNode> elements = in.boundedArray(PORT_PUBLISH, value, limits.maxPorts(), "ports");
    if (elements == null) {
      return null;
    }
    List<PortSpec> ports = new ArrayList<>();
    Map<String, String> containerPortsSeen = new HashMap<>();
    Map<String, String> hostPortsSeen = new HashMap<>();
    for (int i = 0; i < elements.size(); i++) {
      String field = at(PORT_PUBLISH, i);
      ObjectNode entry = in.object(field, elements.get(i), PORT_FIELDS);
      if (entry == null) {
        continue;
      }
      String internalField = at(field, "internal");
      JsonNode internalValue = entry.get("internal");
      if (absent(internalValue)) {
        in.error(internalField, "is required: give the container's port, e.g. {\"ports\": 8888}");
        continue;
      }
      ObjectNode internal = in.object(internalField, internalValue, INTERNAL_PORT_FIELDS);
      if (internal == null) {
        continue;
      }
      String containerPortField = at(internalField, "ports");
      Integer containerPort = port(containerPortField, internal.get("ports"));
      String protocol = protocol(at(internalField, "protocol"), internal.get("protocol"));

      String externalField = at(field, "external");
      JsonNode externalValue = entry.get("external");
      Integer hostPort = null;
      boolean hostPortOk = true;
      if (!absent(externalValue)) {
        ObjectNode external = in.object(externalField, externalValue, EXTERNAL_PORT_FIELDS);
        JsonNode hostPortValue = external == null ? null : external.get("ports");
        if (!absent(hostPortValue)) {
          hostPort = hostPort(at(externalField, "ports"), hostPortValue);
          hostPortOk = hostPort != null;
        }
        hostPortOk &= external != null;
      }
      if (containerPort == null || protocol == null || !hostPortOk) {
        continue;
      }
      String containerKey = containerPort + "/" + protocol;
      String earlier = containerPortsSeen.putIfAbsent(containerKey, field);
      if (earlier != null) {
        in.error(containerPortField, containerKey + " is already published by " + earlier);
        continue;
      }
      if (hostPort != null) {
        String hostKey = hostPort + "/" + protocol;
        earlier = hostPortsSeen.putIfAbsent(hostKey, field);
        if (earlier != null) {
          in.error(at(externalField, "ports"), "host port " + hostKey + " is already used by " + earlier);
          continue;
        }
      }
      ports.add(new PortSpec(hostPort, containerPort, protocol));
    }
    return List.copyOf(ports);
  }

  private Integer port(String field, JsonNode value) {
    if (absent(value)) {
      in.error(field, "is required: give a port number between " + MIN_PORT + " and " + MAX_PORT);
      return null;
    }
    Integer port = in.attempt(() -> Quantities.count(field, value));
    if (port != null && (port < MIN_PORT || port > MAX_PORT)) {
      in.error(field, "must be between " + MIN_PORT + " and " + MAX_PORT);
      return null;
    }
    return port;
  }

  private Integer hostPort(String field, JsonNode value) {
    Integer port = port(field, value);
    String refusal = port == null ? null : limits.hostPorts().refusal(port);
    if (refusal != null) {
      in.error(field, refusal);
      return null;
    }
    return port;
  }

  private String protocol(String field, JsonNode value) {
    if (absent(value)) {
      return DEFAULT_PROTOCOL;
    }
    String text = in.name(field, value);
    if (text == null) {
      return null;
    }
    String protocol = text.toLowerCase(Locale.ROOT);
    if (!PROTOCOLS.contains(protocol)) {
      in.error(field, quote(text) + " is not a protocol: use tcp or udp");
      return null;
    }
    return protocol;
  }
}
