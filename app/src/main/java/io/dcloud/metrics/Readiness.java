package io.dcloud.metrics;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.apache.pekko.cluster.MemberStatus;

/**
 * Whether this node should get traffic: it is an Up member of the cluster, its gateway (if it has
 * the role) is bound, and its Docker Engine (if it is a worker) answered when last asked.
 */
public final class Readiness {
  static final String OK = "ok";
  private final CompletableFuture<?> gateway;
  private final boolean needsEngine;
  private volatile String engineProblem = "not asked yet";

  /** {@code gateway} null: no gateway on this node. */
  public Readiness(CompletableFuture<?> gateway, boolean needsEngine) {
    this.gateway = gateway;
    this.needsEngine = needsEngine;
  }

  /** The engine's latest answer (see EngineWatch): null problem = it answered. */
  public void engineAnswered(String problem) {
    engineProblem = problem;
  }

  /** Each check names what it waits for; ready when every check is "ok". */
  public record Report(boolean ready, Map<String, String> checks) {}

  /** {@code status}: this node's own member status, as its cluster sees it now. */
  public Report check(MemberStatus status) {
    Map<String, String> checks = new LinkedHashMap<>();
    checks.put("cluster", status == MemberStatus.up() ? OK : "member is " + status);
    if (gateway != null) {
      checks.put("gateway", gatewayState());
    }
    if (needsEngine) {
      String problem = engineProblem;
      checks.put("docker-engine", problem == null ? OK : problem);
    }
    return new Report(checks.values().stream().allMatch(OK::equals), checks);
  }

  private String gatewayState() {
    if (!gateway.isDone()) {
      return "not bound yet";
    }
    return gateway.isCompletedExceptionally() ? "could not bind" : OK;
  }
}
