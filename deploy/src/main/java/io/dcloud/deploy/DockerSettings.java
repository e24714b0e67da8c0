package io.dcloud.deploy;

import com.github.dockerjava.api.model.Capability;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigUtil;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The {@code dcloud.deploy} section of the configuration, read once and checked up front. */
public record DockerSettings(
    String dockerHost,
    String minApiVersion,
    Duration connectTimeout,
    int maxConnections,
    Duration callTimeout,
    Duration startTimeout,
    Duration stopGraceDefault,
    Duration statsTimeout,
    int logLineMaxBytes,
    ContainerDefaults container,
    NetworkSettings network,
    BuildSettings build,
    BaseImageSettings baseImages) {

  /** What every environment container gets besides its own spec. */
  public record ContainerDefaults(
      long pidsLimitDefault,
      boolean init,
      List<String> securityOpts,
      List<Capability> capDrop,
      List<Capability> capAdd,
      String gpuDriver,
      List<String> gpuCapabilities,
      String logMaxSize,
      int logMaxFile) {}

  /** The networks environments join: one per tenant (owner), and a shared one without a tenant. */
  public record NetworkSettings(String tenantPrefix, String shared, String bridgePrefix, Map<String, String> labels) {}

  public record BuildSettings(Duration timeout, String networkMode, int errorLines, Map<String, String> labels) {}

  public record BaseImageSettings(
      Duration pullTimeout,
      Path workDir,
      Duration bootstrapTimeout,
      String debootstrapCommand,
      String tarCommand,
      Map<String, BootstrapRecipe> recipes) {}

  /** How to make a base image from packages when no registry has it. */
  public record BootstrapRecipe(String suite, String variant, String mirror, String source, List<String> changes) {}

  /** Linux interface names have 15 characters; TenantNetworks adds 8 hex digits. */
  private static final int MAX_BRIDGE_PREFIX = 7;

  public static DockerSettings fromConfig(Config deploy) {
    Config docker = deploy.getConfig("docker");
    return new DockerSettings(
        docker.getString("host"),
        docker.getString("min-api-version"),
        docker.getDuration("connect-timeout"),
        docker.getInt("max-connections"),
        deploy.getDuration("call-timeout"),
        deploy.getDuration("start-timeout"),
        deploy.getDuration("stop-grace-default"),
        deploy.getDuration("stats-timeout"),
        Math.toIntExact(deploy.getBytes("log-line-max-bytes")),
        containerDefaults(deploy.getConfig("container")),
        networkSettings(deploy.getConfig("network")),
        buildSettings(deploy.getConfig("build")),
        baseImageSettings(deploy.getConfig("base-images")));
  }

  private static ContainerDefaults containerDefaults(Config c) {
    return new ContainerDefaults(
        c.getLong("pids-limit-default"),
        c.getBoolean("init"),
        List.copyOf(c.getStringList("security-opts")),
        capabilities(c, "cap-drop"),
        capabilities(c, "cap-add"),
        c.getString("gpu-driver"),
        List.copyOf(c.getStringList("gpu-capabilities")),
        c.getString("log-max-size"),
        c.getInt("log-max-file"));
  }

  private static NetworkSettings networkSettings(Config c) {
    String bridgePrefix = c.getString("bridge-prefix");
    if (bridgePrefix.length() > MAX_BRIDGE_PREFIX) {
      throw new ConfigException.BadValue(c.origin(), "bridge-prefix", "at most " + MAX_BRIDGE_PREFIX
          + " characters: Linux interface names have 15, and 8 go to the network's hash");
    }
    return new NetworkSettings(c.getString("tenant-prefix"), c.getString("shared"), bridgePrefix, stringMap(c.getConfig("labels")));
  }

  private static BuildSettings buildSettings(Config c) {
    return new BuildSettings(
        c.getDuration("timeout"), c.getString("network-mode"), c.getInt("error-lines"), stringMap(c.getConfig("labels")));
  }

  private static BaseImageSettings baseImageSettings(Config c) {
    Config recipes = c.getConfig("recipes");
    Map<String, BootstrapRecipe> byImage = new LinkedHashMap<>();
    // Keys such as "debian:bookworm" are single quoted path elements: walk the root object.
    for (String image : recipes.root().keySet()) {
      Config r = recipes.getConfig(ConfigUtil.quoteString(image));
      byImage.put(
          image,
          new BootstrapRecipe(
              r.getString("suite"),
              r.getString("variant"),
              r.getString("mirror"),
              r.getString("source"),
              List.copyOf(r.getStringList("changes"))));
    }
    return new BaseImageSettings(
        c.getDuration("pull-timeout"),
        Path.of(c.getString("work-dir")),
        c.getDuration("bootstrap-timeout"),
        c.getString("debootstrap-command"),
        c.getString("tar-command"),
        Map.copyOf(byImage));
  }

  private static List<Capability> capabilities(Config c, String path) {
    return c.getStringList(path).stream()
        .map(name -> capability(c, path, name))
        .toList();
  }

  private static Capability capability(Config c, String path, String name) {
    String bare = name.toUpperCase(Locale.ROOT).replaceFirst("^CAP_", "");
    try {
      return Capability.valueOf(bare);
    } catch (IllegalArgumentException e) {
      throw new ConfigException.BadValue(c.origin(), path, "unknown Linux capability " + name);
    }
  }

  private static Map<String, String> stringMap(Config c) {
    Map<String, String> map = new LinkedHashMap<>();
    c.root().keySet().forEach(key -> map.put(key, c.getString(ConfigUtil.quoteString(key))));
    return Map.copyOf(map);
  }
}
