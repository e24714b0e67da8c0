package io.dcloud.it;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Cuts one node of a cluster started with one loopback address per node off from the others with
 * iptables on {@code lo}, and heals the cut. The node keeps Cassandra, Docker and its HTTP API (the
 * test still asks it), it only loses the cluster:
 *
 * <ul>
 *   <li>{@code INPUT -i lo -s <its address>} and {@code -d <its address>}: nothing reaches it at its
 *       cluster address, so the others' connections to it die;
 *   <li>{@code OUTPUT -o lo -m cgroup --path <its cgroup> --dport <the others' cluster ports>}: its own
 *       outgoing connections to the others (the kernel gives them the source 127.0.0.1, not its
 *       address, so only its cgroup tells them apart).
 * </ul>
 *
 * {@link #heal} removes exactly the rules {@link #cut} added; call it in a finally.
 */
final class Partition implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Partition.class);
  private final List<List<String>> added = new ArrayList<>();

  /** Why iptables cannot cut a node here, or empty when it can. */
  static Optional<String> unusable() {
    try {
      Result version = iptables(List.of("-V"));
      if (version.exit != 0) {
        return Optional.of("iptables -V failed: " + version.output);
      }
      Result list = iptables(List.of("-S", "INPUT"));
      if (list.exit != 0) {
        return Optional.of("iptables -S INPUT failed (root and NET_ADMIN needed): " + list.output);
      }
      Result cgroupMatch = iptables(List.of("-m", "cgroup", "--help"));
      if (cgroupMatch.exit != 0) {
        return Optional.of("iptables has no cgroup match: " + cgroupMatch.output);
      }
      if (NodeCommand.cgroup2Root().isEmpty()) {
        return Optional.of("no writable cgroup v2 hierarchy (/sys/fs/cgroup or /sys/fs/cgroup/unified) to tell a node's sockets apart");
      }
      return Optional.empty();
    } catch (IOException e) {
      return Optional.of("cannot run iptables: " + e);
    }
  }

  void cut(Node victim, List<Node> others) {
    String ports = others.stream().map(n -> String.valueOf(n.clusterPort)).collect(Collectors.joining(","));
    add("INPUT", List.of("-i", "lo", "-s", victim.host, "-j", "DROP"));
    add("INPUT", List.of("-i", "lo", "-d", victim.host, "-j", "DROP"));
    add("OUTPUT", List.of("-o", "lo", "-m", "cgroup", "--path", victim.cgroup(),
        "-p", "tcp", "-m", "multiport", "--dports", ports, "-j", "DROP"));
    LOG.info("Cut {} off from {}", victim, others);
  }

  /** Removes every rule {@link #cut} added (each once), whatever happened meanwhile. */
  void heal() {
    if (added.isEmpty()) {
      return;
    }
    List<String> failures = new ArrayList<>();
    List<List<String>> newestFirst = new ArrayList<>(added);
    java.util.Collections.reverse(newestFirst);
    for (List<String> rule : newestFirst) {
      List<String> delete = new ArrayList<>(List.of("-D"));
      delete.addAll(rule);
      try {
        Result result = iptables(delete);
        if (result.exit != 0) {
          failures.add(String.join(" ", delete) + ": " + result.output);
        }
      } catch (IOException e) {
        failures.add(String.join(" ", delete) + ": " + e);
      }
      added.remove(rule);
    }
    if (!failures.isEmpty()) {
      LOG.error("Could not remove iptables rules (remove them by hand): {}", failures);
    } else {
      LOG.info("Healed: iptables rules removed");
    }
  }

  @Override
  public void close() {
    heal();
  }

  private void add(String chain, List<String> spec) {
    List<String> rule = new ArrayList<>(List.of(chain));
    rule.addAll(spec);
    List<String> insert = new ArrayList<>(List.of("-I"));
    insert.addAll(rule);
    try {
      Result result = iptables(insert);
      if (result.exit != 0) {
        throw new IllegalStateException("iptables " + String.join(" ", insert) + ": " + result.output);
      }
    } catch (IOException e) {
      throw new IllegalStateException("iptables " + String.join(" ", insert), e);
    }
    added.add(rule);
  }

  private record Result(int exit, String output) {}

  private static Result iptables(List<String> args) throws IOException {
    List<String> command = new ArrayList<>(List.of("iptables", "-w", "5"));
    command.addAll(args);
    if (args.equals(List.of("-V"))) {
      command = List.of("iptables", "-V");
    }
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    try {
      byte[] out = process.getInputStream().readAllBytes();
      if (!process.waitFor(30, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        return new Result(-1, "timed out");
      }
      return new Result(process.exitValue(), new String(out, StandardCharsets.UTF_8).strip());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException(e);
    }
  }
}
