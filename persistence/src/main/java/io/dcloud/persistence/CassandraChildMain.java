package io.dcloud.persistence;

import java.io.IOException;
import java.util.Arrays;

/**
 * Entry point of the embedded Cassandra's child JVM (never runs in DCloud's own JVM).
 *
 * <p>It starts a daemon thread that blocks reading standard input, then hands over to the real main
 * class ({@code args[0]}, normally {@code org.apache.cassandra.service.CassandraDaemon}). The parent
 * keeps the write end of that pipe open for as long as it lives; when the parent JVM dies — even by
 * {@code kill -9}, when no shutdown hook runs — the kernel closes the pipe, the read returns end of
 * stream and this class calls {@link System#exit}, which runs Cassandra's own shutdown hook (drain)
 * as SIGTERM would. So an orphaned Cassandra never keeps the ports and the data directory.
 *
 * <p>{@link EmbeddedCassandra} copies this one class file into the data directory and puts it on the
 * child's classpath beside the Cassandra jars, so it must use nothing but the JDK (no other classes
 * of this module: lambdas are fine, anonymous or nested classes are not).
 */
public final class CassandraChildMain {

  private CassandraChildMain() {}

  public static void main(String[] args) throws Throwable {
    if (args.length == 0) {
      throw new IllegalArgumentException("usage: CassandraChildMain <main class> [args...]");
    }
    Thread watchdog = new Thread(CassandraChildMain::exitWhenParentGone, "dcloud-parent-watchdog");
    watchdog.setDaemon(true);
    watchdog.start();
    try {
      Class.forName(args[0])
          .getMethod("main", String[].class)
          .invoke(null, (Object) Arrays.copyOfRange(args, 1, args.length));
    } catch (java.lang.reflect.InvocationTargetException e) {
      throw e.getCause();
    }
  }

  private static void exitWhenParentGone() {
    try {
      byte[] buffer = new byte[256];
      while (System.in.read(buffer) >= 0) {
        // the parent never writes; anything it might send is ignored
      }
    } catch (IOException e) {
      // a broken pipe means the same as end of stream: the parent is gone
    }
    System.err.println("dcloud: parent JVM is gone (stdin closed): shutting Cassandra down");
    System.exit(0);
  }
}
