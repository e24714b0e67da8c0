package io.dcloud.persistence;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The templates of cassandra.yaml and logback.xml, and their substitution; no Cassandra runs. */
class CassandraConfigFilesTest {

  @TempDir Path tmp;

  @Test
  void theYamlGetsHostPortsAndQuotedDirectories() {
    DataLayout layout = DataLayout.create(tmp.resolve("it's data"));

    String yaml =
        CassandraConfigFiles.cassandraYaml(layout, "127.0.0.2", new CassandraPorts(19042, 17000, 0), List.of());

    assertThat(yaml)
        .contains("      - seeds: '127.0.0.2:17000'\n")
        .contains("listen_address: '127.0.0.2'\n")
        .contains("storage_port: 17000\n")
        .contains("native_transport_port: 19042\n")
        .contains("  - '" + layout.data().toString().replace("'", "''") + "'\n")
        .contains("commitlog_directory: '" + tmp + "/it''s data/commitlog'\n")
        .contains("storage_compatibility_mode: NONE\n")
        .doesNotContain("{{");
  }

  @Test
  void aNodeJoiningOthersListsTheirSeeds() {
    DataLayout layout = DataLayout.create(tmp.resolve("joining"));

    String yaml = CassandraConfigFiles.cassandraYaml(
        layout, "127.0.0.3", new CassandraPorts(19043, 17003, 0), List.of("127.0.0.1:17001", "127.0.0.2:17002"));

    assertThat(yaml)
        .contains("      - seeds: '127.0.0.1:17001,127.0.0.2:17002'\n")
        .contains("listen_address: '127.0.0.3'\n");
  }

  @Test
  void theLogbackConfigGetsTheEscapedLogFile() {
    String xml = CassandraConfigFiles.logbackXml(Path.of("/data/a&b/cassandra.log"));

    assertThat(xml)
        .contains("<file>/data/a&amp;b/cassandra.log</file>")
        .contains("<fileNamePattern>/data/a&amp;b/cassandra.log.%i.zip</fileNamePattern>")
        .contains("<pattern>%d{ISO8601} %-5level [%thread] %logger{36} - %msg%n</pattern>")
        .doesNotContain("{{");
  }

  @Test
  void aValueIsInsertedOnceAndNeverScannedAgain() {
    ConfigTemplate template = new ConfigTemplate("t", "a={{a}} b={{b}}");

    assertThat(template.render(Map.of("a", "{{b}}", "b", "$1\\"), UnaryOperator.identity()))
        .isEqualTo("a={{b}} b=$1\\");
  }

  @Test
  void aPlaceholderWithoutAValueAndAValueWithoutAPlaceholderAreRefused() {
    ConfigTemplate template = new ConfigTemplate("t", "port: {{port}}");

    assertThatThrownBy(() -> template.render(Map.of(), UnaryOperator.identity()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("no value for placeholder 'port'");
    assertThatThrownBy(
            () -> template.render(Map.of("port", "1", "host", "h"), UnaryOperator.identity()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("no placeholder for [host]");
  }
}
