package io.dcloud.persistence;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The child's {@code cassandra.yaml} and {@code logback.xml}, rendered from the templates {@value
 * #YAML_TEMPLATE} and {@value #LOGBACK_TEMPLATE} (resources of this package) with this start's
 * host, seeds, ports and directories. Written at every start, so a changed port or data dir takes effect.
 */
final class CassandraConfigFiles {

  static final String YAML_TEMPLATE = "embedded-cassandra.yaml";
  static final String LOGBACK_TEMPLATE = "embedded-logback.xml";

  private CassandraConfigFiles() {}

  static void write(DataLayout layout, String host, CassandraPorts ports, List<String> seeds) throws IOException {
    Files.writeString(layout.yaml(), cassandraYaml(layout, host, ports, seeds));
    Files.writeString(layout.logback(), logbackXml(layout.log()));
  }

  /** No seeds: the node is its own seed, a cluster of one. */
  static String cassandraYaml(DataLayout layout, String host, CassandraPorts ports, List<String> seeds) {
    String seedList = seeds.isEmpty() ? host + ":" + ports.storage() : String.join(",", seeds);
    return ConfigTemplate.load(YAML_TEMPLATE)
        .render(
            Map.of(
                "host", host,
                "seeds", seedList,
                "cql_port", Integer.toString(ports.cql()),
                "storage_port", Integer.toString(ports.storage()),
                "data_dir", layout.data().toString(),
                "commitlog_dir", layout.commitlog().toString(),
                "saved_caches_dir", layout.savedCaches().toString(),
                "hints_dir", layout.hints().toString(),
                "cdc_raw_dir", layout.cdcRaw().toString()),
            CassandraConfigFiles::inYamlSingleQuotes);
  }

  static String logbackXml(Path logFile) {
    return ConfigTemplate.load(LOGBACK_TEMPLATE)
        .render(Map.of("log_file", logFile.toString()), CassandraConfigFiles::xmlEscape);
  }

  /** Inside a single-quoted YAML scalar the only escape is a doubled quote; ports have none. */
  private static String inYamlSingleQuotes(String value) {
    return value.replace("'", "''");
  }

  private static String xmlEscape(String value) {
    return value
        .replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace("\"", "&quot;");
  }
}
