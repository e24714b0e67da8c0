package io.dcloud.deploy;

import com.github.dockerjava.api.async.ResultCallback;
import java.io.Closeable;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A streamed daemon response (events, logs, stats, build and pull output) that DCloud controls:
 * items go to {@code onItem}; the end (completion, error or {@link #close()}) is signalled exactly
 * once; closing the callback closes the HTTP stream. docker-java's own Adapter logs every error at
 * ERROR level and cannot tell "closed by us" from "failed".
 */
class StreamCallback<T> implements ResultCallback<T> {

  private static final Logger log = LoggerFactory.getLogger(StreamCallback.class);

  private final String what;
  private final Consumer<T> onItem;
  private final CountDownLatch started = new CountDownLatch(1);
  private final CountDownLatch ended = new CountDownLatch(1);
  /** Counted down by whichever comes first: the start or the end. */
  private final CountDownLatch settled = new CountDownLatch(1);
  private final AtomicBoolean closedByUs = new AtomicBoolean();
  private final AtomicBoolean finished = new AtomicBoolean();
  private volatile Closeable stream;
  private volatile Throwable error;
  private volatile Consumer<Throwable> onEnd = ignored -> {};

  StreamCallback(String what, Consumer<T> onItem) {
    this.what = what;
    this.onItem = onItem;
  }

  /** Runs once when the stream ends; the argument is the error, or null for a normal end. */
  StreamCallback<T> onEnd(Consumer<Throwable> onEnd) {
    this.onEnd = onEnd;
    return this;
  }

  @Override
  public void onStart(Closeable stream) {
    this.stream = stream;
    started.countDown();
    settled.countDown();
    if (closedByUs.get()) {
      closeQuietly(stream);
    }
  }

  @Override
  public void onNext(T item) {
    if (closedByUs.get()) {
      return;
    }
    try {
      onItem.accept(item);
    } catch (RuntimeException e) {
      // A failing consumer must not kill the stream for everyone else.
      log.warn("{}: a listener failed on {}", what, item, e);
    }
  }

  @Override
  public void onError(Throwable throwable) {
    if (!closedByUs.get()) {
      error = throwable;
    }
    finish();
  }

  @Override
  public void onComplete() {
    finish();
  }

  @Override
  public void close() {
    if (closedByUs.compareAndSet(false, true)) {
      Closeable s = stream;
      if (s != null) {
        closeQuietly(s);
      }
      finish();
    }
  }

  /** True once the engine answered (headers received); false if the stream ended or the deadline passed first. */
  boolean awaitStarted(Duration deadline) throws InterruptedException {
    settled.await(deadline.toNanos(), TimeUnit.NANOSECONDS);
    return started.getCount() == 0;
  }

  /** True when the stream ended within the deadline. */
  boolean awaitEnd(Duration deadline) throws InterruptedException {
    return ended.await(deadline.toNanos(), TimeUnit.NANOSECONDS);
  }

  boolean hasEnded() {
    return ended.getCount() == 0;
  }

  /** The error that ended the stream (null when it completed or we closed it). */
  Throwable error() {
    return error;
  }

  private void finish() {
    if (finished.compareAndSet(false, true)) {
      ended.countDown();
      settled.countDown();
      try {
        onEnd.accept(error);
      } catch (RuntimeException e) {
        log.warn("{}: the end handler failed", what, e);
      }
    }
  }

  private static void closeQuietly(Closeable c) {
    try {
      c.close();
    } catch (IOException | RuntimeException e) {
      log.debug("closing a daemon stream failed", e);
    }
  }
}
