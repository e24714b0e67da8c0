package io.dcloud.serialization;

import io.dcloud.dataset.BlobStore;
import io.dcloud.dataset.DatasetVersion;
import io.dcloud.job.JobEntity;
import io.dcloud.job.JobIndex;
import io.dcloud.job.JobSpec;
import io.dcloud.job.JobState;
import io.dcloud.job.JobStatus;
import io.dcloud.job.JobView;
import io.dcloud.service.ServiceEntity;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.pekko.actor.typed.ActorSystem;

/** The job entity's and index's events and messages, for {@link GoldenSamples}. */
final class JobGoldenSamples {
  private JobGoldenSamples() {}

  static void add(Map<String, Object> s, ActorSystem<?> system, Instant at) {
    String replica = "5f0e3d1c-1111-3222-8333-444455556666";
    JobSpec spec = new JobSpec("iris", "tables/iris/inputs",
        new DatasetVersion(2, "b1", 4096, "ab12", "application/x-ndjson", "alice", at), 50);
    s.put("job-event.Submitted", new JobEntity.Submitted(spec, "alice", at));
    // Written before jobs kept their task starts (2026-12-06): read with none.
    s.put("job-event.Started", new JobEntity.Started(230, 5, at, null));
    s.put("job-event.Started.task-starts", new JobEntity.Started(230, 5, at, new BlobStore.StoredBlob(69, "ef56")));
    s.put("job-event.TaskAssigned", new JobEntity.TaskAssigned(3, replica, "n1", 1, at));
    s.put("job-event.TaskFailed", new JobEntity.TaskFailed(3, replica, "not reached (NOT_RUNNING: stopped)", at));
    s.put("job-event.TaskDone", new JobEntity.TaskDone(3, replica, "job-j1-task-3-2", 640, "cd34", at));
    s.put("job-event.Succeeded", new JobEntity.Succeeded("jobs/iris/j1", 1, at));
    s.put("job-event.Failed", new JobEntity.Failed("the input could not be read: line 3 of a.jsonl is not JSON", at));
    s.put("job-event.Cancelled", new JobEntity.Cancelled("alice", at));
    s.put("job-index-event.Registered", new JobIndex.Registered("j1", "alice", "iris"));
    // Written before jobs knew when they finished (2026-12-05): read with no time.
    s.put("job-index-event.MarkedFinished", new JobIndex.MarkedFinished("j1", null));
    s.put("job-index-event.MarkedFinished.at", new JobIndex.MarkedFinished("j1", at));
    s.put("job-index-event.Collected", new JobIndex.Collected("j1"));
    s.put("job-index-snapshot.State", new JobIndex.State(List.of(new JobIndex.Entry("j1", "alice", "iris", false, null))));
    s.put("job-index-snapshot.State.finishedAt", new JobIndex.State(List.of(new JobIndex.Entry("j1", "alice", "iris", true, at))));
    s.put("wire.job-index.Register", new JobIndex.Register("j1", "alice", "iris"));
    s.put("wire.job-index.Finished", new JobIndex.Finished("j1", null));
    s.put("wire.job-index.Finished.at", new JobIndex.Finished("j1", at));
    s.put("wire.job-index.ListJobs", new JobIndex.ListJobs("alice", system.deadLetters()));
    s.put("wire.job-index.WakeUnfinished", new JobIndex.WakeUnfinished());
    s.put("wire.job-index.CollectFinished", new JobIndex.CollectFinished());
    s.put("wire.job-index.Jobs", new JobIndex.Jobs(List.of(new JobIndex.Entry("j1", "alice", "iris", true, null))));
    s.put("wire.job.Submit", new JobEntity.Submit(spec, "alice", system.deadLetters()));
    s.put("wire.job.Get", new JobEntity.Get(system.deadLetters()));
    s.put("wire.job.Cancel", new JobEntity.Cancel("alice", system.deadLetters()));
    s.put("wire.job.Tick", new JobEntity.Tick(42L));
    s.put("wire.job.Passivate", new JobEntity.Passivate());
    s.put("wire.job.ServiceSeen", new JobEntity.ServiceSeen(new ServiceEntity.NotFound("iris")));
    JobView view = new JobView("j1", "iris", "alice", JobStatus.SUCCEEDED, "tables/iris/inputs", 2, 50,
        new JobView.Progress(230, 230, 115.5, 0L), List.of(new JobView.Assignment(replica, "n1", 3, 3)),
        "jobs/iris/j1", 1, null, at, at);
    s.put("wire.job.Ok", new JobEntity.Ok(view));
    s.put("wire.job.Ok.running", new JobEntity.Ok(new JobView("j1", "iris", "alice", JobStatus.RUNNING,
        "tables/iris/inputs", 2, 50, new JobView.Progress(0, 0, 0, null), List.of(), null, null, null, at, null)));
    s.put("wire.job.Ok.reading", new JobEntity.Ok(new JobView("j1", "iris", "alice", JobStatus.QUEUED,
        "tables/iris/inputs", 2, 50, new JobView.Progress(0, 0, 0, null), List.of(), null, null, null, at, null,
        new JobView.Reading(1_048_576, 12_582_912))));
    s.put("wire.job.NotFound", new JobEntity.NotFound("j1"));
    s.put("wire.job.Conflict", new JobEntity.Conflict("job j1 is already SUCCEEDED"));
    JobState running = new JobState("j1", spec, "alice", JobStatus.RUNNING, 230,
        List.of(new JobState.Task(0, 1, List.of(), replica, "job-j1-task-0-1", 640, "cd34")),
        List.of(new JobState.ReplicaWork(replica, "n1", 1, 1)), null, null, null, at, at, null, null);
    s.put("wire.job.State", running);
    // Persisted too since jobs snapshot (dcloud.jobs.snapshot-every).
    s.put("job-snapshot.State", running);
    s.put("wire.job.State.task-starts", new JobState("j1", spec, "alice", JobStatus.RUNNING, 230, List.of(), List.of(),
        null, null, null, at, at, null, new BlobStore.StoredBlob(69, "ef56")));
  }
}
