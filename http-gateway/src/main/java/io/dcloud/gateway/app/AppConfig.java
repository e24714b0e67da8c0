package io.dcloud.gateway.app;

import com.fasterxml.jackson.databind.JsonNode;
import io.dcloud.device.BindingSlot;
import io.dcloud.service.ServiceDefinition;
import java.util.List;

/**
 * An app's {@code config} part, validated ({@link AppConfigParser}): its name (the service's and the
 * dataset's {@code apps/<name>/source}), its runtime from the catalog, the command that starts its
 * server (in the source's directory) on {@code port}, how many replicas (null when not said: 1 for
 * a new service, and a pushed version keeps the service's scale), how many more a new
 * version's roll may add ({@code surge}: 1 or 0), whether its replicas must run on distinct nodes
 * ({@code spread}; null: preferred), the resources of one
 * (as an environment's; null: the cluster's defaults), the path that answers 2xx once it serves,
 * its environment variables (null: none) and the device types it consumes ({@link io.dcloud.gateway.service.BindingSlots};
 * empty: none). {@code document} is the config as sent (YAML made
 * JSON): what the source version keeps as {@link AppArchive#CONFIG}.
 */
public record AppConfig(
    String name,
    String language,
    List<String> libraries,
    Command command,
    int port,
    Integer replicas,
    int surge,
    ServiceDefinition.Spread spread,
    JsonNode resources,
    String readinessPath,
    JsonNode env,
    List<BindingSlot> bindings,
    JsonNode document) {

  /** Either a program and its arguments ({@code argv}) or one shell line ({@code line}); the other is null. */
  record Command(List<String> argv, String line) {}
}
