package io.dcloud.persistence;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;

/** The ports one start of the embedded Cassandra uses: CQL, internode (storage) and local JMX. */
record CassandraPorts(int cql, int storage, int jmx) {

  /**
   * Binds each port on {@code address} to check it (a configured non-zero port must be free, 0
   * picks a free one), then releases them all for Cassandra. A port taken between this check and
   * Cassandra's bind is reported by Cassandra itself, in its log.
   *
   * @throws IllegalStateException naming the port that is taken
   */
  static CassandraPorts choose(InetAddress address, int cql, int storage) throws IOException {
    List<ServerSocket> held = new ArrayList<>();
    try {
      int[] ports = new int[3];
      int[] wanted = {cql, storage, 0};
      String[] names = {"CQL", "storage", "JMX"};
      // JMX listens on the loopback address whatever the host (ChildJvmCommand): its port is free
      // there, where another node of the same machine may hold the one free on the host.
      InetAddress[] on = {address, address, InetAddress.getLoopbackAddress()};
      for (int i = 0; i < wanted.length; i++) {
        ServerSocket socket = new ServerSocket();
        try {
          socket.bind(new InetSocketAddress(on[i], wanted[i]), 1);
        } catch (IOException e) {
          socket.close();
          throw new IllegalStateException(
              names[i]
                  + " port "
                  + on[i].getHostAddress()
                  + ":"
                  + wanted[i]
                  + " is already in use (another Cassandra running?); configure another port or 0",
              e);
        }
        // Held until all three are chosen, so that two zeros never get the same free port.
        held.add(socket);
        ports[i] = socket.getLocalPort();
      }
      return new CassandraPorts(ports[0], ports[1], ports[2]);
    } finally {
      for (ServerSocket socket : held) {
        socket.close();
      }
    }
  }
}
