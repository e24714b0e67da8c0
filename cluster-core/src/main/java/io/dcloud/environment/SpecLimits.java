package io.dcloud.environment;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import java.util.List;
import java.util.Locale;

/**
 * What an environment config may ask for beyond its syntax, from {@code dcloud.environment.limits},
 * {@code dcloud.environment.reserved-variables} and {@code dcloud.environment.host-ports}: how many
 * ports, volumes, variables... (so one request cannot make the parser, the entity and every event
 * that carries the spec arbitrarily large), which variable names belong to the container runtime,
 * and which host ports may be published. Read once at start, then handed to every parse.
 *
 * @param reservedVariables names the runtime sets ({@code CUDA_VISIBLE_DEVICES}) and prefixes
 *     ending in {@code *} ({@code NVIDIA_*}), upper case
 */
public record SpecLimits(
    int maxPorts,
    int maxVolumes,
    int maxVariables,
    long maxVariableBytes,
    int maxCommandArgs,
    long maxCommandBytes,
    int maxLanguages,
    int maxLibraries,
    int maxDatasets,
    int maxConstraints,
    List<String> reservedVariables,
    HostPortPolicy hostPorts) {

  private static final String PREFIX_MARK = "*";

  public SpecLimits {
    reservedVariables = reservedVariables.stream().map(name -> name.toUpperCase(Locale.ROOT)).toList();
  }

  /**
   * Read from the node's whole configuration (the host-port policy needs DCloud's own ports, which
   * other modules configure).
   */
  public static SpecLimits fromConfig(Config root) {
    Config limits = root.getConfig("dcloud.environment.limits");
    List<String> reserved = root.getStringList("dcloud.environment.reserved-variables");
    for (String name : reserved) {
      int mark = name.indexOf(PREFIX_MARK);
      if (name.isBlank() || name.equals(PREFIX_MARK) || mark >= 0 && mark != name.length() - 1) {
        throw new ConfigException.BadValue("dcloud.environment.reserved-variables",
            "\"" + name + "\": give a name, or a prefix ending in *");
      }
    }
    return new SpecLimits(
        positive(limits, "max-ports"),
        positive(limits, "max-volumes"),
        positive(limits, "max-variables"),
        limits.getBytes("max-variable-bytes"),
        positive(limits, "max-command-args"),
        limits.getBytes("max-command-length"),
        positive(limits, "max-languages"),
        positive(limits, "max-libraries"),
        positive(limits, "max-datasets"),
        positive(limits, "max-constraints"),
        reserved,
        HostPortPolicy.fromConfig(root));
  }

  /** The reserved name or prefix {@code variable} falls under (compared in upper case), or null. */
  String reservation(String variable) {
    String upper = variable.toUpperCase(Locale.ROOT);
    for (String reserved : reservedVariables) {
      boolean prefix = reserved.endsWith(PREFIX_MARK);
      if (prefix ? upper.startsWith(reserved.substring(0, reserved.length() - 1)) : upper.equals(reserved)) {
        return reserved;
      }
    }
    return null;
  }

  private static int positive(Config limits, String key) {
    int value = limits.getInt(key);
    if (value <= 0) {
      throw new ConfigException.BadValue("dcloud.environment.limits." + key, value + ": must be more than 0");
    }
    return value;
  }
}
