package io.dcloud.gateway.app;

import com.fasterxml.jackson.databind.JsonNode;
import io.dcloud.contract.ContractReader;
import io.dcloud.device.BindingSlot;
import io.dcloud.gateway.common.ConfigFields;
import io.dcloud.gateway.common.UploadParts;
import io.dcloud.gateway.service.BindingSlots;
import io.dcloud.gateway.service.ServiceRequests;
import io.dcloud.service.ServiceDefinition;
import io.dcloud.service.SpreadReader;
import io.dcloud.validation.FieldError;
import io.dcloud.validation.ValidationException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Function;

/**
 * Reads an app's {@code config} part into an {@link AppConfig}, naming every bad field at once
 * (422). The language and libraries, the resources, the env and what the command may hold are
 * judged as the replicas' environment will be ({@link io.dcloud.gateway.common.RuntimeChecks}).
 */
public final class AppConfigParser {
  private static final Set<String> FIELDS = Set.of("name", "runtime", "command", "port", "replicas", "surge", SpreadReader.FIELD,
      "resources", "readiness", "env", BindingSlots.BINDINGS);
  private static final String DEFAULT_READINESS = "/";

  private final AppLimits limits;
  private final ConfigFields fields = new ConfigFields("an app config");

  private AppConfigParser(AppLimits limits) {
    this.limits = limits;
  }

  public static AppConfig parse(JsonNode root, AppLimits limits) {
    if (root == null || !root.isObject()) {
      throw ValidationException.of(UploadParts.CONFIG, "must be a JSON or YAML object with name, runtime, command, "
          + "port, replicas, resources, readiness and env");
    }
    return new AppConfigParser(limits).config(root);
  }

  private AppConfig config(JsonNode root) {
    fields.unknown("", root, FIELDS);
    String name = fields.name(root.get("name"));
    ConfigFields.Runtime runtime = fields.runtime(root.get("runtime"));
    AppConfig.Command command = command(root.get("command"));
    Integer port = fields.read(errors -> ServiceRequests.port(root.get("port"), errors));
    // Absent: 1 for a new service, and a pushed version keeps the scale the service has.
    Integer replicas = ContractReader.absent(root.get("replicas")) ? null
        : fields.whole("replicas", root.get("replicas"), 1, 1, limits.maxReplicas());
    int surge = fields.whole("surge", root.get("surge"), ServiceDefinition.DEFAULT_SURGE, 0, 1);
    ServiceDefinition.Spread spread = fields.read(errors -> SpreadReader.read(root.get(SpreadReader.FIELD), errors));
    JsonNode readiness = root.get("readiness");
    String path = DEFAULT_READINESS;
    if (readiness != null && !readiness.isNull()) {
      ServiceDefinition.Readiness read = fields.read(errors -> ServiceRequests.readiness(readiness, errors));
      path = read == null ? null : read.path();
    }
    JsonNode env = root.get("env");
    List<BindingSlot> bindings = fields.read(errors -> BindingSlots.read(root.get(BindingSlots.BINDINGS), errors));
    fields.throwIfAny();
    return new AppConfig(name, runtime.language(), runtime.libraries(), command, port, replicas, surge, spread,
        root.get("resources"),
        path, env == null || env.isNull() ? null : env, bindings, root);
  }

  private AppConfig.Command command(JsonNode value) {
    if (value != null && value.isTextual() && !value.asText().isBlank()) {
      return new AppConfig.Command(null, value.asText());
    }
    if (value != null && value.isArray() && !value.isEmpty()) {
      List<String> argv = new ArrayList<>();
      for (int i = 0; i < value.size(); i++) {
        if (!value.get(i).isTextual()) {
          fields.error("command[" + i + "]", "must be a string");
        } else {
          argv.add(value.get(i).asText());
        }
      }
      return new AppConfig.Command(List.copyOf(argv), null);
    }
    fields.error("command", "is required: what starts the app's server in its source directory, as a list "
        + "([\"python3\", \"app.py\"]) or one shell line (\"python3 app.py\")");
    return null;
  }

  /** As {@code POST /services} reads them: the same fields, the same reasons. */
}
