package io.dcloud.cli.common;

import static org.assertj.core.api.Assertions.assertThat;

import io.dcloud.cli.WatchCommand;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SseReaderTest {
  private static final String STREAM = """
      : keep-alive
      event: environment
      id: 7
      data: {"id":"a",
      data: "status":"RUNNING"}

      data: unnamed

      event: reset
      data:{}

      """;

  @Test
  void readsNamedEventsJoinsDataLinesAndSkipsComments() throws Exception {
    List<SseEvent> events = new ArrayList<>();
    boolean stopped = SseReader.read(new ByteArrayInputStream(STREAM.getBytes(StandardCharsets.UTF_8)), events::add);
    assertThat(stopped).isFalse();
    assertThat(events).containsExactly(
        new SseEvent("7", "environment", "{\"id\":\"a\",\n\"status\":\"RUNNING\"}"),
        new SseEvent("7", "message", "unnamed"),
        new SseEvent("7", "reset", "{}"));
  }

  @Test
  void stopsWhenTheHandlerSaysSo() throws Exception {
    List<SseEvent> events = new ArrayList<>();
    boolean stopped = SseReader.read(new ByteArrayInputStream(STREAM.getBytes(StandardCharsets.UTF_8)),
        event -> events.add(event) && false);
    assertThat(stopped).isTrue();
    assertThat(events).hasSize(1);
  }

  @Test
  void watchPrintsOneLinePerEvent() throws Exception {
    var mapper = new com.fasterxml.jackson.databind.ObjectMapper();
    assertThat(WatchCommand.format("environment",
        mapper.readTree("{\"id\":\"e1\",\"name\":\"web\",\"status\":\"RUNNING\",\"node\":\"n1\"}"), OutputOption.Format.table))
        .isEqualTo("environment e1 web RUNNING n1");
    assertThat(WatchCommand.format("node", mapper.readTree("{\"id\":\"n1\",\"state\":\"CORDONED\",\"available\":true}"),
        OutputOption.Format.table)).isEqualTo("node n1 CORDONED available");
    assertThat(WatchCommand.format("reset", mapper.readTree("{}"), OutputOption.Format.json))
        .isEqualTo("{\"type\":\"reset\",\"data\":{}}");
  }
}
