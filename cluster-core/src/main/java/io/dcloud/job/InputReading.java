package io.dcloud.job;

import io.dcloud.ask.Asks;
import io.dcloud.job.JobEntity.Command;
import org.apache.pekko.actor.typed.javadsl.ActorContext;

/**
 * A job's input as its entity holds it in memory: read once (at most one reading at a time, its
 * progress shown while it runs), then the window its tasks' records are read through. Gone with
 * the entity: after a restart the input is read again.
 */
final class InputReading {
  private final ActorContext<Command> context;
  private final JobIo io;
  private final long windowBytes;
  private InputWindow window;
  private boolean reading;
  /** How far the reading got (written by the reading thread). */
  private volatile long bytesRead;

  InputReading(ActorContext<Command> context, JobIo io, long windowBytes) {
    this.context = context;
    this.io = io;
    this.windowBytes = windowBytes;
  }

  /** Reads the input of {@code state}'s job unless it is read or being read; its end comes as {@link JobEntity.InputRead}. */
  void start(JobState state) {
    if (window != null || reading) {
      return;
    }
    reading = true;
    bytesRead = 0;
    Asks.pipeToSelf(context, io.readInput(state, read -> bytesRead = read), (read, failure) -> read);
  }

  /** The reading ended well: its tasks' window, from now on. */
  InputWindow read(JobEntity.InputRead read) {
    reading = false;
    window = new InputWindow(read.tasks(), windowBytes);
    return window;
  }

  /** The reading ended and is not wanted (failed, or the job ended meanwhile): what it saved goes. */
  void ended(JobEntity.InputRead read) {
    reading = false;
    io.discard(read);
  }

  /** The window, once read; null before. */
  InputWindow window() {
    return window;
  }

  void forget() {
    window = null;
  }

  /** {@code view}, saying how far the reading got while it runs. */
  JobView shown(JobState state, JobView view) {
    return reading && !state.status().finished()
        ? view.reading(new JobView.Reading(bytesRead, state.spec().input().size()))
        : view;
  }
}
