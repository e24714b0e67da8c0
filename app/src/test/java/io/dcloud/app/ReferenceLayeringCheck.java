package io.dcloud.app;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigResolveOptions;
import com.typesafe.config.ConfigValue;
import io.dcloud.config.DCloudConfig;
import java.net.URL;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Run by {@link LauncherConfigIT} in a JVM with the launcher's class path: for every library
 * setting that one of DCloud's reference.conf files sets, prints {@code CHECKED key} and, when the
 * configuration a DCloud process loads has another value (and application.conf does not set it),
 * {@code LOST key ...}; {@code CONFLICT key ...} when two of DCloud's files disagree on it.
 */
final class ReferenceLayeringCheck {
  private ReferenceLayeringCheck() {}

  public static void main(String[] args) {
    ClassLoader loader = ReferenceLayeringCheck.class.getClassLoader();
    Config loaded = DCloudConfig.load(loader, ConfigFactory.empty());
    Config application = ConfigFactory.defaultApplication(loader)
        .resolve(ConfigResolveOptions.defaults().setAllowUnresolved(true));
    Map<String, String> firstSetBy = new HashMap<>();
    for (URL file : DCloudConfig.dcloudReferenceFiles(loader)) {
      System.out.println("FILE " + file);
      for (Map.Entry<String, ConfigValue> setting : ConfigFactory.parseURL(file).entrySet()) {
        String key = setting.getKey();
        Object ours = valueOf(setting.getValue());
        if (key.startsWith("dcloud.") || ours == null || application.hasPathOrNull(key)) {
          continue;
        }
        System.out.println("CHECKED " + key);
        Object effective = loaded.hasPathOrNull(key) ? loaded.getValue(key).unwrapped() : null;
        if (!Objects.equals(String.valueOf(effective), String.valueOf(ours))) {
          System.out.println("LOST " + key + ": " + file + " says " + ours + ", the process has " + effective);
        }
        String before = firstSetBy.putIfAbsent(key, ours + " in " + file);
        if (before != null && !before.startsWith(ours + " in ")) {
          System.out.println("CONFLICT " + key + ": " + before + ", " + ours + " in " + file);
        }
      }
    }
  }

  /** The plain value, or null for one that is a substitution (resolved only in the whole). */
  private static Object valueOf(ConfigValue value) {
    try {
      return value.unwrapped();
    } catch (ConfigException.NotResolved substitution) {
      return null;
    }
  }
}
