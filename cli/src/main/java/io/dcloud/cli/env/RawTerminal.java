package io.dcloud.cli.env;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * The local terminal in raw mode for an interactive exec: keys go to the remote terminal as typed
 * (Ctrl-C included), and the remote one echoes. Done with {@code stty} on /dev/tty, which needs no
 * native library; the saved settings are put back on every way out, a shutdown hook included.
 */
final class RawTerminal implements AutoCloseable {
  private static final File TTY = new File("/dev/tty");

  private final String saved;
  private final Thread restoreOnExit;

  private RawTerminal(String saved) {
    this.saved = saved;
    this.restoreOnExit = new Thread(this::restore, "dcloud-restore-terminal");
    Runtime.getRuntime().addShutdownHook(restoreOnExit);
  }

  /** Raw mode, or null when there is no terminal to put in it (e.g. -t with stdin from a pipe). */
  static RawTerminal enter() {
    if (!TTY.canRead()) {
      return null;
    }
    try {
      String saved = stty("-g").strip();
      stty("raw", "-echo");
      return new RawTerminal(saved);
    } catch (IOException e) {
      return null;
    }
  }

  /** {rows, cols} of the local terminal, or null when unknown. */
  static int[] size() {
    try {
      String[] words = stty("size").strip().split("\\s+");
      return words.length == 2 ? new int[] {Integer.parseInt(words[0]), Integer.parseInt(words[1])} : null;
    } catch (IOException | NumberFormatException e) {
      return null;
    }
  }

  private static String stty(String... arguments) throws IOException {
    String[] command = new String[arguments.length + 1];
    command[0] = "stty";
    System.arraycopy(arguments, 0, command, 1, arguments.length);
    Process process = new ProcessBuilder(command).redirectInput(TTY).redirectError(ProcessBuilder.Redirect.DISCARD).start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    try {
      if (process.waitFor() != 0) {
        throw new IOException("stty " + String.join(" ", arguments) + " failed");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    }
    return output;
  }

  private void restore() {
    try {
      stty(saved);
    } catch (IOException e) {
      // Nothing better to do on the way out: 'stty sane' (or 'reset') restores a terminal by hand.
    }
  }

  @Override
  public void close() {
    restore();
    try {
      Runtime.getRuntime().removeShutdownHook(restoreOnExit);
    } catch (IllegalStateException shuttingDown) {
      // The hook runs anyway.
    }
  }
}
