package io.dcloud.job;

import io.dcloud.dataset.DatasetVersion;
import io.dcloud.serialization.CborSerializable;

/**
 * What a job runs: every record of {@code input} (a version of dataset {@code dataset}, resolved
 * when the job was submitted, so "latest" means the newest then) through model service {@code
 * service}, {@code batchSize} records per task.
 */
public record JobSpec(String service, String dataset, DatasetVersion input, int batchSize) implements CborSerializable {

  /** The dataset id of the job's output: {@code jobs/<service>/<job id>}. */
  public String outputDataset(String jobId) {
    return JobEntity.OUTPUT_CATEGORY + "/" + service + "/" + jobId;
  }
}
