package io.dcloud.environment;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigValueType;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Which host ports a user may publish: within the admin's ranges ({@code
 * dcloud.environment.host-ports.allowed}), never below 1024, and never one of DCloud's own — an
 * environment holding the API's or the cluster's port would break the node, or catch its traffic.
 *
 * <p>DCloud's own ports are read from the configuration the node runs with, so a node started with
 * {@code --http-port 9090} protects 9090. Ports configured as 0 (a free port picked at start, as
 * tests do) are not known in advance and are skipped.
 *
 * @param allowed the publishable ranges, all at or above {@link #LOWEST}
 * @param own DCloud's own ports, each with what it is for (for the reason a request is refused)
 */
public record HostPortPolicy(List<Range> allowed, SortedMap<Integer, String> own) {

  /** The ports {@code first} to {@code last}, both included. */
  public record Range(int first, int last) {
    boolean holds(int port) {
      return port >= first && port <= last;
    }

    @Override
    public String toString() {
      return first == last ? String.valueOf(first) : first + "-" + last;
    }
  }

  /** Ports below this are privileged on Linux: system services, never an environment's. */
  public static final int LOWEST = 1024;

  static final String KEY = "dcloud.environment.host-ports";

  /** Keys holding one of DCloud's ports, and what each serves; a key may be absent (a module not in this node). */
  private static final Map<String, String> OWN_PORT_KEYS = ownPortKeys();

  /** Keys holding "host:port" addresses of DCloud's services. */
  private static final Map<String, String> OWN_ADDRESS_KEYS =
      Map.of("dcloud.cassandra.contact-points", "Cassandra");

  private static final Pattern RANGE = Pattern.compile("\\s*(\\d{1,5})\\s*(?:-\\s*(\\d{1,5})\\s*)?");
  private static final Pattern ADDRESS_PORT = Pattern.compile(".*:(\\d{1,5})");

  public HostPortPolicy {
    allowed = List.copyOf(allowed);
    own = Collections.unmodifiableSortedMap(new TreeMap<>(own));
  }

  /**
   * Read from the node's whole configuration.
   *
   * @throws ConfigException.BadValue when the allowed ranges are malformed or reach below 1024
   */
  public static HostPortPolicy fromConfig(Config root) {
    Config config = root.getConfig(KEY);
    SortedMap<Integer, String> own = new TreeMap<>();
    OWN_PORT_KEYS.forEach((key, what) -> ownPort(root, key, what, own));
    OWN_ADDRESS_KEYS.forEach((key, what) -> {
      if (root.hasPath(key)) {
        for (String address : root.getStringList(key)) {
          Matcher m = ADDRESS_PORT.matcher(address);
          if (m.matches()) {
            addOwn(own, Integer.parseInt(m.group(1)), what + " (" + key + ")");
          }
        }
      }
    });
    for (Integer port : config.getIntList("reserved")) {
      addOwn(own, port, "reserved for the platform (" + KEY + ".reserved)");
    }
    return new HostPortPolicy(ranges(config.getString("allowed")), own);
  }

  /** Why {@code port} may not be published, or null when it may. */
  String refusal(int port) {
    String what = own.get(port);
    if (what != null) {
      return "host port " + port + " is one of DCloud's own: " + what + "; choose another";
    }
    if (port < LOWEST) {
      return "host port " + port + " is below " + LOWEST + " (privileged ports are the system's): choose one in "
          + describeAllowed();
    }
    if (allowed.stream().anyMatch(range -> range.holds(port))) {
      return null;
    }
    return "host port " + port + " is outside the ports this cluster lets environments publish: choose one in "
        + describeAllowed();
  }

  private String describeAllowed() {
    return String.join(", ", allowed.stream().map(Range::toString).toList());
  }

  private static Map<String, String> ownPortKeys() {
    Map<String, String> keys = new LinkedHashMap<>();
    keys.put("dcloud.http.port", "the HTTP API");
    keys.put("pekko.remote.artery.canonical.port", "cluster remoting");
    keys.put("pekko.remote.artery.bind.port", "cluster remoting");
    keys.put("pekko.management.http.port", "cluster management");
    keys.put("pekko.management.http.bind-port", "cluster management");
    keys.put("dcloud.cassandra.embedded.cql-port", "Cassandra's CQL");
    keys.put("dcloud.cassandra.embedded.storage-port", "Cassandra's storage");
    keys.put("com.sun.management.jmxremote.port", "JMX");
    keys.put("com.sun.management.jmxremote.rmi.port", "JMX");
    keys.put("dcloud.mqtt.port", "the MQTT broker");
    return Collections.unmodifiableMap(keys);
  }

  /** A port key may be absent, empty (Pekko's bind.port means "as canonical") or 0 (picked at start). */
  private static void ownPort(Config root, String key, String what, SortedMap<Integer, String> own) {
    if (!root.hasPath(key)) {
      return;
    }
    ConfigValueType type = root.getValue(key).valueType();
    String text = root.getValue(key).unwrapped().toString().strip();
    if ((type == ConfigValueType.NUMBER || type == ConfigValueType.STRING) && text.matches("\\d{1,5}")) {
      addOwn(own, Integer.parseInt(text), what + " (" + key + ")");
    }
  }

  private static void addOwn(SortedMap<Integer, String> own, int port, String what) {
    if (port > 0) {
      own.putIfAbsent(port, what);
    }
  }

  private static List<Range> ranges(String text) {
    List<Range> ranges = new ArrayList<>();
    for (String part : text.split(",")) {
      Matcher m = RANGE.matcher(part);
      if (!m.matches()) {
        throw badRanges(text, "write ranges such as \"1024-65535\" or \"8000-8999, 30000-32767\"");
      }
      int first = Integer.parseInt(m.group(1));
      int last = m.group(2) == null ? first : Integer.parseInt(m.group(2));
      if (first < LOWEST || last > EnvironmentSpecParser.MAX_PORT || first > last) {
        throw badRanges(text, "each range must lie within " + LOWEST + "-" + EnvironmentSpecParser.MAX_PORT
            + ", first port first");
      }
      ranges.add(new Range(first, last));
    }
    return ranges;
  }

  private static ConfigException.BadValue badRanges(String text, String how) {
    return new ConfigException.BadValue(KEY + ".allowed", "\"" + text + "\": " + how);
  }
}
