package io.dcloud.persistence;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An exclusive lock on {@value DataLayout#LOCK_FILE} in the data directory, held while Cassandra
 * runs: two Cassandras on one directory would corrupt it, and the second would only find out late.
 * The operating system drops the lock when this JVM dies.
 */
record DataDirLock(FileChannel channel, FileLock lock) implements AutoCloseable {

  // The embedded Cassandra's one log category, as before it was split into several classes.
  private static final Logger log = LoggerFactory.getLogger(EmbeddedCassandra.class);

  /**
   * @throws IllegalStateException if another embedded Cassandra (in this JVM or another) holds it
   */
  static DataDirLock acquire(Path dataDir) throws IOException {
    FileChannel channel =
        FileChannel.open(
            dataDir.resolve(DataLayout.LOCK_FILE),
            StandardOpenOption.CREATE,
            StandardOpenOption.WRITE);
    FileLock lock;
    try {
      lock = channel.tryLock();
    } catch (OverlappingFileLockException e) {
      lock = null; // held by this JVM
    } catch (IOException | RuntimeException e) {
      channel.close();
      throw e;
    }
    if (lock == null) {
      channel.close();
      throw new IllegalStateException(
          "Data dir "
              + dataDir
              + " is in use by another embedded Cassandra ("
              + DataLayout.LOCK_FILE
              + ")");
    }
    return new DataDirLock(channel, lock);
  }

  @Override
  public void close() {
    try {
      lock.release();
      channel.close();
    } catch (IOException e) {
      log.warn("Could not release {}: {}", DataLayout.LOCK_FILE, e.toString());
    }
  }
}
