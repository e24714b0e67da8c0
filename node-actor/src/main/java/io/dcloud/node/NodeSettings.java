package io.dcloud.node;

import com.fasterxml.jackson.databind.node.TextNode;
import com.typesafe.config.Config;
import io.dcloud.resources.GpuDevice;
import io.dcloud.resources.Quantities;
import io.dcloud.secret.SecretBox;
import io.dcloud.secret.SecretKeys;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@code dcloud.node} section of the configuration (see node-actor's reference.conf).
 *
 * @param diskPath the file system advertised as the node's disk ({@code dcloud.node.disk-path});
 *     null when not configured: then the Docker Engine's data root (see {@link MachineProfile#measure})
 * @param secrets decrypts environments' secret-env ({@code dcloud.secrets}, cluster-core's
 *     reference.conf); null when this node has no key, and then deploys that have one fail
 */
public record NodeSettings(
    String nodeId,
    Map<String, String> labels,
    Duration gossipInterval,
    Duration downedStopGrace,
    Duration leaveTimeout,
    Duration startingReportDelay,
    Duration claimRetryInterval,
    Duration keptVolumeClaimTtl,
    Duration volumeCountInterval,
    List<String> idleCommand,
    String publishHostIp,
    boolean callContainerAddress,
    int logBufferLines,
    int maxLogFollows,
    int maxExecs,
    Duration askTimeout,
    long reservedMilliCpus,
    long reservedMemoryBytes,
    Path diskPath,
    Path nvidiaSmi,
    Duration nvidiaSmiTimeout,
    List<GpuDevice> advertisedGpus,
    SecretBox secrets) {

  /** Engine calls block: they run on this dispatcher, never on the actors' threads. */
  public static final String BLOCKING_DISPATCHER = "dcloud.node.blocking-dispatcher";

  /** {@code root} is the whole configuration: the node id falls back to the host name. */
  public static NodeSettings fromConfig(Config root, String hostname) {
    Config c = root.getConfig("dcloud.node");
    Map<String, String> labels = new LinkedHashMap<>();
    c.getConfig("labels").entrySet().forEach(e -> labels.put(e.getKey(), String.valueOf(e.getValue().unwrapped())));
    String id = c.getString("id").isBlank() ? hostname : c.getString("id");
    List<GpuDevice> gpus = c.getConfigList("advertised-gpus").stream()
        .map(g -> new GpuDevice(g.getInt("index"), g.getString("uuid"), g.getString("name"),
            g.hasPath("memory-mib") ? g.getLong("memory-mib") : null))
        .toList();
    return new NodeSettings(
        id,
        Map.copyOf(labels),
        c.getDuration("gossip-interval"),
        c.getDuration("downed-stop-grace"),
        c.getDuration("leave-timeout"),
        c.getDuration("starting-report-delay"),
        c.getDuration("claim-retry-interval"),
        c.getDuration("kept-volume-claim-ttl"),
        c.getDuration("volume-count-interval"),
        c.getStringList("idle-command"),
        c.getString("publish-host-ip"),
        c.getBoolean("call-container-address"),
        c.getInt("log-buffer-lines"),
        c.getInt("max-log-follows"),
        c.getInt("max-execs"),
        root.getDuration("dcloud.ask-timeout"),
        Quantities.milliCpus("dcloud.node.reserved.cpu", TextNode.valueOf(c.getString("reserved.cpu"))),
        Quantities.bytes("dcloud.node.reserved.memory", TextNode.valueOf(c.getString("reserved.memory"))),
        c.getString("disk-path").isBlank() ? null : Path.of(c.getString("disk-path")),
        Path.of(c.getString("nvidia-smi")),
        c.getDuration("nvidia-smi-timeout"),
        gpus,
        SecretKeys.fromConfig(root).orElse(null));
  }

  /** The same settings for another node id (hollow nodes share one process's configuration). */
  public NodeSettings withNodeId(String id) {
    return new NodeSettings(
        id, labels, gossipInterval, downedStopGrace, leaveTimeout, startingReportDelay, claimRetryInterval, keptVolumeClaimTtl,
        volumeCountInterval, idleCommand, publishHostIp, callContainerAddress, logBufferLines, maxLogFollows, maxExecs, askTimeout, reservedMilliCpus, reservedMemoryBytes, diskPath,
        nvidiaSmi, nvidiaSmiTimeout, advertisedGpus, secrets);
  }
}
