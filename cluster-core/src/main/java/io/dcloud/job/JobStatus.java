package io.dcloud.job;

/** Where a job is: its input not read yet, tasks going out, or one of the three ends. */
public enum JobStatus {
  QUEUED, RUNNING, SUCCEEDED, FAILED, CANCELLED;

  public boolean finished() {
    return this == SUCCEEDED || this == FAILED || this == CANCELLED;
  }
}
