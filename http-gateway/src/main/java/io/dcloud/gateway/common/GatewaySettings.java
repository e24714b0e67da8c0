package io.dcloud.gateway.common;

import com.fasterxml.jackson.databind.node.TextNode;
import com.typesafe.config.Config;
import io.dcloud.environment.SpecLimits;
import io.dcloud.resources.Quantities;
import io.dcloud.resources.Resources;
import io.dcloud.secret.SecretBox;
import io.dcloud.secret.SecretKeys;
import java.time.Duration;
import java.util.List;

/**
 * The gateway's tunables, read once at start from {@code dcloud.http} (this module's
 * reference.conf), {@code dcloud.ask-timeout}, {@code dcloud.environment.default-resources} and
 * the limits of {@link SpecLimits} and the secrets key of {@link SecretKeys} (cluster-core's).
 *
 * @param secrets encrypts a request's secret-env; null when no key is configured
 * @param proxy the proxy's binding ({@link ProxySettings}), its public URL known once bound
 */
public record GatewaySettings(
    String host,
    int port,
    long maxBodyBytes,
    Duration sseKeepAlive,
    int sseBuffer,
    int logsDefaultTail,
    int logsMaxTail,
    CreateAdmission.Settings createAdmission,
    Duration createRetryAfter,
    Duration createAnswerMargin,
    Duration sheddingReportInterval,
    Duration askTimeout,
    ReadAskTimeouts readAsks,
    Resources defaultResources,
    List<String> allowedOrigins,
    List<String> allowedHosts,
    List<String> trustedProxies,
    SpecLimits specLimits,
    SecretBox secrets,
    ProxySettings proxy) {

  private static final String DEFAULT_RESOURCES = "dcloud.environment.default-resources";

  public static GatewaySettings fromConfig(Config config) {
    Config http = config.getConfig("dcloud.http");
    return new GatewaySettings(
        http.getString("host"),
        http.getInt("port"),
        http.getBytes("max-body"),
        http.getDuration("sse-keepalive"),
        http.getInt("sse-buffer"),
        http.getInt("logs.default-tail"),
        http.getInt("logs.max-tail"),
        new CreateAdmission.Settings(
            http.getInt("initial-creates-in-flight"),
            http.getInt("min-creates-in-flight"),
            http.getInt("max-creates-in-flight"),
            http.getDuration("create-target-latency")),
        http.getDuration("create-retry-after"),
        answerMargin(http.getDuration("create-answer-margin"), config.getDuration("dcloud.ask-timeout")),
        // Refusals are an overload's lines too: at most one per the same period (SheddingReport).
        config.getDuration("dcloud.overload.report-interval"),
        config.getDuration("dcloud.ask-timeout"),
        new ReadAskTimeouts(http.getDuration("read-ask-timeout"), http.getDuration("read-ask-timeout-while-shedding")),
        defaultResources(config.getConfig(DEFAULT_RESOURCES)),
        http.getStringList("allowed-origins"),
        http.getStringList("allowed-hosts"),
        http.getStringList("trusted-proxies"),
        SpecLimits.fromConfig(config),
        SecretKeys.fromConfig(config).orElse(null),
        ProxySettings.fromConfig(config));
  }

  /**
   * Read with the same quantity syntax users write, so "1G" means the same in config and request;
   * a malformed default fails the gateway's start instead of every request.
   */
  private static Resources defaultResources(Config defaults) {
    long memory = Quantities.bytes(DEFAULT_RESOURCES + ".ram", TextNode.valueOf(defaults.getString("ram")));
    long milliCpus = Quantities.milliCpus(DEFAULT_RESOURCES + ".cpu", TextNode.valueOf(defaults.getString("cpu")));
    int gpus = Quantities.count(DEFAULT_RESOURCES + ".gpu", TextNode.valueOf(defaults.getString("gpu")));
    long storage = Quantities.bytes(DEFAULT_RESOURCES + ".storage", TextNode.valueOf(defaults.getString("storage")));
    return new Resources(milliCpus, memory, gpus, storage, null);
  }

  /** dcloud.http.create-answer-margin, at most half the ask timeout (a create must have time to arrive). */
  private static Duration answerMargin(Duration margin, Duration askTimeout) {
    if (margin.isNegative()) {
      throw new IllegalArgumentException("dcloud.http.create-answer-margin must not be negative, not " + margin);
    }
    Duration half = askTimeout.dividedBy(2);
    return margin.compareTo(half) > 0 ? half : margin;
  }

  /** The same gateway admitting at most {@code limit} creates at a time. */
  public GatewaySettings withMaxCreatesInFlight(int limit) {
    CreateAdmission.Settings admission = new CreateAdmission.Settings(
        limit, createAdmission.min(), limit, createAdmission.targetLatency());
    return new GatewaySettings(
        host, port, maxBodyBytes, sseKeepAlive, sseBuffer, logsDefaultTail, logsMaxTail, admission, createRetryAfter,
        createAnswerMargin, sheddingReportInterval, askTimeout, readAsks, defaultResources, allowedOrigins, allowedHosts, trustedProxies, specLimits, secrets,
        proxy);
  }

  /** The same gateway with its proxy bound (see {@link ProxySettings#bound}). */
  public GatewaySettings withProxy(ProxySettings bound) {
    return new GatewaySettings(
        host, port, maxBodyBytes, sseKeepAlive, sseBuffer, logsDefaultTail, logsMaxTail, createAdmission,
        createRetryAfter, createAnswerMargin, sheddingReportInterval, askTimeout, readAsks, defaultResources, allowedOrigins, allowedHosts, trustedProxies,
        specLimits, secrets, bound);
  }

  /** "10s", "1500ms": how people write durations in the config, for messages. */
  public static String describe(Duration duration) {
    return duration.toMillis() % 1000 == 0 ? duration.toSeconds() + "s" : duration.toMillis() + "ms";
  }
}
