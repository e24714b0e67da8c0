package io.dcloud.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Ports a test node keeps across its restarts. A port the kernel picked ({@code new ServerSocket(0)})
 * lies in its ephemeral range, which it also hands out as the local port of every outgoing
 * connection: while a stopped node is down, the cluster's own connections to Cassandra or to each
 * other can take its port, and the restarted node then fails to bind it (CI saw exactly that once).
 * So these are picked below that range, where only an explicit bind ever lands.
 */
final class RestartablePorts {
  private static final Path EPHEMERAL_RANGE = Path.of("/proc/sys/net/ipv4/ip_local_port_range");
  /** The kernel's default lower bound, where it says nothing else. */
  private static final int DEFAULT_EPHEMERAL_LOW = 32768;
  /** Above the well-known and most registered services' ports. */
  private static final int LOWEST = 20000;
  private static final int ATTEMPTS = 1000;

  private RestartablePorts() {}

  /**
   * {@code count} distinct ports that no socket on any address of this machine is bound to now, all
   * held open together while picking so that none is handed out twice.
   */
  static int[] pick(int count) {
    int highest = ephemeralLow() - 1;
    if (highest - LOWEST < 10 * count) {
      throw new IllegalStateException("the kernel's ephemeral port range starts at " + (highest + 1)
          + ": too few ports below it for " + count + " test node ports");
    }
    List<ServerSocket> held = new ArrayList<>();
    Set<Integer> ports = new LinkedHashSet<>();
    try {
      for (int attempt = 0; attempt < ATTEMPTS && ports.size() < count; attempt++) {
        int candidate = ThreadLocalRandom.current().nextInt(LOWEST, highest + 1);
        if (ports.contains(candidate)) {
          continue;
        }
        try {
          // The wildcard address: a listener on any address (127.0.0.i included) makes this fail.
          held.add(new ServerSocket(candidate, 1));
          ports.add(candidate);
        } catch (IOException taken) {
          // Someone listens there; try another.
        }
      }
    } finally {
      for (ServerSocket socket : held) {
        try {
          socket.close();
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      }
    }
    if (ports.size() < count) {
      throw new IllegalStateException("found only " + ports.size() + " of " + count + " free ports in "
          + LOWEST + ".." + highest + " after " + ATTEMPTS + " attempts");
    }
    return ports.stream().mapToInt(Integer::intValue).toArray();
  }

  private static int ephemeralLow() {
    // Read as lines: procfs answers a read that does not start at offset 0 with end-of-file, and
    // Files.readString reads this zero-sized file one byte first.
    try {
      if (Files.isReadable(EPHEMERAL_RANGE)) {
        return Integer.parseInt(Files.readAllLines(EPHEMERAL_RANGE).get(0).trim().split("\\s+")[0]);
      }
      return DEFAULT_EPHEMERAL_LOW;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
