package io.dcloud.node;

import java.io.IOException;
import java.io.InputStream;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

/**
 * A user's tar, re-written on the fly so every entry belongs to the container's user: the engine
 * extracts as root and keeps the owners the headers name, which would leave the user files they
 * cannot change. The copy runs on {@code pool} into a pipe the caller reads; a tar that cannot be
 * read fails the caller's read with the reason.
 */
final class TarOwnership {
  private static final int PIPE_BUFFER = 64 * 1024;
  private static final int BLOCK = 512;

  private TarOwnership() {}

  static InputStream owned(InputStream tar, Owner owner, Executor pool) throws IOException {
    AtomicReference<IOException> failure = new AtomicReference<>();
    PipedInputStream in = new PipedInputStream(PIPE_BUFFER) {
      @Override
      public synchronized int read(byte[] b, int off, int len) throws IOException {
        int n = super.read(b, off, len);
        if (n < 0 && failure.get() != null) {
          throw failure.get();
        }
        return n;
      }
    };
    PipedOutputStream out = new PipedOutputStream(in);
    pool.execute(() -> {
      try (TarArchiveInputStream entries = new TarArchiveInputStream(tar);
          TarArchiveOutputStream copy = new TarArchiveOutputStream(out, BLOCK)) {
        copy.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
        copy.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
        for (TarArchiveEntry entry = entries.getNextEntry(); entry != null; entry = entries.getNextEntry()) {
          owner.apply(entry);
          copy.putArchiveEntry(entry);
          if (entry.isFile()) {
            entries.transferTo(copy);
          }
          copy.closeArchiveEntry();
        }
        copy.finish();
      } catch (IOException | RuntimeException e) {
        failure.set(e instanceof IOException io ? io : new IOException("the upload is not a tar: " + e.getMessage(), e));
        closeQuietly(out);
      }
    });
    return in;
  }

  private static void closeQuietly(PipedOutputStream out) {
    try {
      out.close();
    } catch (IOException ignored) {
      // The reader sees the end, then the failure.
    }
  }

  /** Numeric ids, as {@code id -u} and {@code id -g} print them in the container. */
  record Owner(long uid, long gid) {
    void apply(TarArchiveEntry entry) {
      entry.setUserId(uid);
      entry.setGroupId(gid);
      entry.setUserName("");
      entry.setGroupName("");
    }
  }
}
