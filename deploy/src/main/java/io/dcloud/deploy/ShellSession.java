package io.dcloud.deploy;

import java.io.IOException;

/**
 * An interactive command in a running container ({@link ContainerRuntime#shell}): its input and
 * output are the caller's to pump. Reading and writing may happen on two threads at once; {@link
 * #close()} from any thread ends both (a blocked read returns -1 or throws), and ends the command's
 * input and output, so an abandoned session never holds an engine connection.
 */
public interface ShellSession extends AutoCloseable {

  /**
   * The next output bytes into {@code buffer}: with a terminal, what it shows; without, stdout and
   * stderr as they come. Blocks until some arrive; -1 once the command closed its output.
   */
  int read(byte[] buffer) throws IOException;

  /** Sends {@code bytes} to the command's stdin. */
  void write(byte[] bytes) throws IOException;

  /** Closes the command's stdin (it reads end-of-file); its output keeps coming. */
  void closeStdin() throws IOException;

  /** Tells the command's terminal its new size; ignored when the session has none. */
  void resize(int cols, int rows);

  /** Once the output ended: the command's exit code (null if the engine does not know it, or the session was closed). */
  Integer exitCode();

  @Override
  void close();
}
