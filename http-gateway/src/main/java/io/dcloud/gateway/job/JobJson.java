package io.dcloud.gateway.job;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.dcloud.job.JobView;
import java.time.Instant;
import java.util.List;

/** An inference job as the API shows it (the contract of {@code GET /api/v1/jobs/{id}}). */
record JobJson(
    String id,
    String service,
    String owner,
    String status,
    Input input,
    int batchSize,
    Progress progress,
    List<Assignment> assignments,
    Input output,
    String error,
    Instant createdAt,
    Instant finishedAt,
    @JsonInclude(JsonInclude.Include.NON_NULL) Reading reading) {

  /** A dataset version: the job's input, or its output. */
  record Input(String dataset, int version) {}

  /** {@code rate}: records per second; {@code etaSeconds}: null until a task is done. */
  record Progress(long done, long total, double rate, Long etaSeconds) {}

  /** While the job reads its input through to cut it into tasks: how far (the dataset version's bytes). */
  record Reading(long bytes, long totalBytes) {}

  /** C5: what each replica (on which node) was given and did. */
  record Assignment(String replica, String node, int tasks, int done) {}

  /** {@code "continue"} when a page was full and more follow (see {@link io.dcloud.gateway.common.NamePages}). */
  record Listing(
      List<JobJson> jobs,
      @JsonProperty("continue") @JsonInclude(JsonInclude.Include.NON_NULL) String continueToken) {}

  static JobJson of(JobView view) {
    JobView.Progress p = view.progress();
    return new JobJson(view.id(), view.service(), view.owner(), view.status().name(),
        new Input(view.dataset(), view.version()), view.batchSize(),
        new Progress(p.done(), p.total(), Math.round(p.rate() * 100) / 100.0, p.etaSeconds()),
        view.assignments().stream().map(a -> new Assignment(a.replica(), a.node(), a.tasks(), a.done())).toList(),
        view.outputDataset() == null ? null : new Input(view.outputDataset(), view.outputVersion()),
        view.error(), view.createdAt(), view.finishedAt(),
        view.reading() == null ? null : new Reading(view.reading().bytes(), view.reading().totalBytes()));
  }
}
