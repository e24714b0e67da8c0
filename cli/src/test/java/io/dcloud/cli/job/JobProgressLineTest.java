package io.dcloud.cli.job;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

/** The progress line of {@code jobs get} and {@code jobs submit --wait}, from the job's JSON. */
class JobProgressLineTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void whileTheJobReadsItsInputTheLineSaysHowFarThenItCountsRecords() throws Exception {
    assertThat(JobsCommand.progress(JSON.readTree("""
        {"status": "QUEUED", "progress": {"done": 0, "total": 0, "rate": 0},
         "reading": {"bytes": 1048576, "totalBytes": 12582912}}""")))
        .isEqualTo("QUEUED reading the input: 1.0 MiB of 12.0 MiB");
    assertThat(JobsCommand.progress(JSON.readTree("""
        {"status": "RUNNING", "progress": {"done": 500, "total": 2000, "rate": 250.0, "etaSeconds": 6}}""")))
        .isEqualTo("RUNNING 500/2000 records, 250.0/s, 6 s left");
  }
}
