package io.dcloud.gateway.job;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.dcloud.gateway.common.JsonYaml;
import io.dcloud.job.JobStatus;
import io.dcloud.job.JobView;
import java.time.Instant;
import java.util.List;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** A job as the API writes it: {@code reading} only while the job reads its input through. */
class JobJsonTest {
  private static final ActorTestKit testKit = ActorTestKit.create("job-json-test");
  private static final JsonYaml CODEC = JsonYaml.create(testKit.system());
  private static final Instant AT = Instant.parse("2026-12-06T08:00:00Z");

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  private static JsonNode json(JobView view) throws Exception {
    return CODEC.mapper().readTree(CODEC.toJson(JobJson.of(view)));
  }

  @Test
  void aJobReadingItsInputSaysHowFarAndOtherwiseNothing() throws Exception {
    JobView queued = new JobView("j1", "iris", "alice", JobStatus.QUEUED, "tables/iris/inputs", 2, 32,
        new JobView.Progress(0, 0, 0, null), List.of(), null, null, null, AT, null);

    JsonNode reading = json(queued.reading(new JobView.Reading(1_048_576, 12_582_912))).path("reading");
    assertThat(reading.path("bytes").asLong()).isEqualTo(1_048_576);
    assertThat(reading.path("totalBytes").asLong()).isEqualTo(12_582_912);
    assertThat(json(queued).has("reading")).isFalse();
  }
}
