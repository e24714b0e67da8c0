package io.dcloud.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigParseOptions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URL;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * How every DCloud process loads its configuration: -D system properties over the caller's
 * overrides (flags) over {@code application.conf} (or {@code -Dconfig.file}) over DCloud's {@code reference.conf} files over
 * every other library's.
 *
 * <p>Why not {@code ConfigFactory.load}: it merges all {@code reference.conf} files of the class
 * path in class path order, the first one winning, and DCloud's modules set some of their
 * libraries' settings in theirs (the journal's {@code events-by-tag}, the Cassandra driver's schema
 * debouncer, Pekko HTTP's WebSocket keep-alive, ...). A launcher's {@code lib/*} lists its jars in
 * directory order, so a library's jar could come first and silently undo DCloud's setting (it did:
 * {@code dcloud node} ran with the plugin's tag writers on and a one-second wait after each schema
 * statement). Here DCloud's reference files come first whatever the order. A reference file is
 * DCloud's when it defines {@code dcloud.*} keys; two of them must not disagree on a library's key
 * (checked by the app module's tests).
 */
public final class DCloudConfig {
  private static final String REFERENCE = "reference.conf";

  private DCloudConfig() {}

  /** The configuration of a DCloud process: {@code overrides} over {@code application.conf}, resolved. */
  public static Config load(Config overrides) {
    return load(classLoader(), overrides);
  }

  /** As {@link #load(Config)}, reading the files through {@code loader}. */
  public static Config load(ClassLoader loader, Config overrides) {
    return ConfigFactory.defaultOverrides(loader)
        .withFallback(overrides)
        .withFallback(ConfigFactory.defaultApplication(loader))
        .withFallback(reference(loader))
        .resolve();
  }

  /** Every reference file, DCloud's over the libraries' (unresolved: substitutions resolve in the whole). */
  public static Config reference(ClassLoader loader) {
    Config dcloud = ConfigFactory.empty();
    for (URL file : dcloudReferenceFiles(loader)) {
      dcloud = dcloud.withFallback(ConfigFactory.parseURL(file, ConfigParseOptions.defaults().setClassLoader(loader)));
    }
    return dcloud.withFallback(ConfigFactory.defaultReferenceUnresolved(loader));
  }

  /** The {@code reference.conf} files on the class path that define {@code dcloud.*} keys, in class path order. */
  public static List<URL> dcloudReferenceFiles(ClassLoader loader) {
    List<URL> files = new ArrayList<>();
    try {
      for (URL file : Collections.list(loader.getResources(REFERENCE))) {
        if (ConfigFactory.parseURL(file).root().containsKey("dcloud")) {
          files.add(file);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Could not list the class path's " + REFERENCE + " files", e);
    }
    return files;
  }

  private static ClassLoader classLoader() {
    ClassLoader context = Thread.currentThread().getContextClassLoader();
    return context != null ? context : DCloudConfig.class.getClassLoader();
  }
}
