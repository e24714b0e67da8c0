package io.dcloud.deploy;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * One lock per image name, so two environments needing the same image wait for one build instead
 * of running two. The map only grows with distinct image names, which stay few on a node.
 */
final class KeyedLocks {

  private final ConcurrentMap<String, ReentrantLock> locks = new ConcurrentHashMap<>();

  /** Runs {@code work} holding the key's lock; tells {@code waiting} first when someone else holds it. */
  <T> T with(String key, Runnable waiting, Supplier<T> work) {
    ReentrantLock lock = locks.computeIfAbsent(key, k -> new ReentrantLock());
    if (!lock.tryLock()) {
      waiting.run();
      try {
        lock.lockInterruptibly();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new RuntimeFailure("interrupted while waiting for another build of " + key, e);
      }
    }
    try {
      return work.get();
    } finally {
      lock.unlock();
    }
  }

  void with(String key, Runnable waiting, Runnable work) {
    with(key, waiting, () -> {
      work.run();
      return null;
    });
  }

  /** Convenience for progress consumers: the waiting message goes to {@code progress}. */
  static Runnable say(Consumer<String> progress, String message) {
    return () -> progress.accept(message);
  }
}
