package io.dcloud.job;

import io.dcloud.dataset.BlobStore;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.util.ByteString;

/**
 * A job's {@link JobInput.Tasks}, kept as a blob of its own once its input is read, so that a job
 * taken up again (its node lost, its entity restarted) reads eight bytes a task instead of its whole
 * input (and, for a directory, instead of copying it again). Deleted when the job ends.
 */
final class StoredTaskStarts {
  /** The layout below; another one would be read as none (and the input read through). */
  private static final int FORMAT = 1;

  private StoredTaskStarts() {}

  static String blobId(String jobId) {
    return "job-" + jobId + "-task-starts";
  }

  static CompletionStage<BlobStore.StoredBlob> save(ActorSystem<?> system, BlobStore blobs, String jobId,
      JobInput.Tasks tasks) {
    return Source.single(ByteString.fromArrayUnsafe(encode(tasks))).runWith(blobs.write(blobId(jobId)), system);
  }

  /** The tasks saved as {@code stored}; fails when the blob is gone, damaged or of another layout. */
  static CompletionStage<JobInput.Tasks> load(ActorSystem<?> system, BlobStore blobs, String jobId,
      BlobStore.StoredBlob stored) {
    return blobs.read(blobId(jobId), stored.size(), stored.sha256())
        .runWith(Sink.fold(ByteString.emptyByteString(), ByteString::concat), system)
        .thenApply(bytes -> decode(bytes.toArray()));
  }

  static byte[] encode(JobInput.Tasks tasks) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(64 + 8 * tasks.starts().length);
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      out.writeInt(FORMAT);
      out.writeUTF(tasks.blobId());
      out.writeLong(tasks.size());
      out.writeInt(tasks.records());
      out.writeBoolean(tasks.spooled());
      out.writeInt(tasks.starts().length);
      for (long start : tasks.starts()) {
        out.writeLong(start);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  static JobInput.Tasks decode(byte[] bytes) {
    try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes))) {
      int format = in.readInt();
      if (format != FORMAT) {
        throw new IllegalStateException("task starts of layout " + format + ", not " + FORMAT);
      }
      String blobId = in.readUTF();
      long size = in.readLong();
      int records = in.readInt();
      boolean spooled = in.readBoolean();
      long[] starts = new long[in.readInt()];
      for (int i = 0; i < starts.length; i++) {
        starts[i] = in.readLong();
      }
      return new JobInput.Tasks(blobId, size, records, starts, spooled);
    } catch (IOException e) {
      throw new UncheckedIOException("the job's task starts could not be read", e);
    }
  }
}
