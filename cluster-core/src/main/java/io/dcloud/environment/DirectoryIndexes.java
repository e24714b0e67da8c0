package io.dcloud.environment;

import java.time.Instant;
import java.util.ArrayDeque;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What the environment directory keeps besides the environments, updated as it applies each event:
 * every owner's usage (so a quota check costs a lookup however many environments exist), the
 * count in each status (the cluster gauges read it every refresh) and the users' latest requests for the audit (environment events name their actor already, so the audit
 * reads them here rather than writing each twice; bounded, older ones are in the journal).
 * Touched only by the directory's actor.
 */
final class DirectoryIndexes {
  private static final int REQUESTS_KEPT = 10_000;

  private final Map<String, OwnerUsage> usage = new HashMap<>();
  /** By service name: its replicas that are not deleted (what counts toward their owner's quota). */
  private final Map<String, Integer> replicas = new HashMap<>();
  private final ArrayDeque<EnvironmentDirectory.AuditLine> requests = new ArrayDeque<>();
  private final Map<EnvironmentStatus, Long> byStatus = new EnumMap<>(EnvironmentStatus.class);

  void applied(String environmentId, EnvironmentState before, EnvironmentState after, EnvironmentEntity.Event event) {
    count(before, after);
    if (before.status() != after.status()) {
      if (before.status() != null) {
        byStatus.merge(before.status(), -1L, Long::sum);
      }
      if (after.status() != null) {
        byStatus.merge(after.status(), 1L, Long::sum);
      }
    }
    remember(environmentId, event);
  }

  /** A deleted environment left the directory (its usage was none since its deletion). */
  void forgotten(EnvironmentState state) {
    byStatus.merge(state.status(), -1L, Long::sum);
  }

  /** How many environments are in each status now (a status none is in may be absent or 0). */
  Map<EnvironmentStatus, Long> byStatus() {
    return new EnumMap<>(byStatus);
  }

  OwnerUsage usage(String owner) {
    return usage.getOrDefault(owner, OwnerUsage.NONE);
  }

  int replicas(String service) {
    return replicas.getOrDefault(service, 0);
  }

  List<EnvironmentDirectory.AuditLine> requests(Instant since, String actor) {
    return requests.stream()
        .filter(line -> !line.at().isBefore(since))
        .filter(line -> actor == null || actor.equals(line.actor()))
        .toList();
  }

  private void count(EnvironmentState before, EnvironmentState after) {
    if (after.owner() == null) {
      return;
    }
    OwnerUsage was = before.spec() == null ? OwnerUsage.NONE
        : OwnerUsage.of(before.status(), before.spec().resources(), before.restartPending());
    OwnerUsage is = OwnerUsage.of(after.status(), after.spec().resources(), after.restartPending());
    if (!was.equals(is)) {
      usage.merge(after.owner(), is.minus(was), OwnerUsage::plus);
    }
    String service = serviceOf(after);
    if (service != null) {
      int change = (is.environments() > 0 ? 1 : 0) - (was.environments() > 0 ? 1 : 0);
      if (change != 0) {
        replicas.merge(service, change, (a, b) -> a + b == 0 ? null : a + b);
      }
    }
  }

  private static String serviceOf(EnvironmentState state) {
    return state.spec() == null || state.spec().service() == null ? null : state.spec().service().name();
  }

  private void remember(String environmentId, EnvironmentEntity.Event event) {
    EnvironmentDirectory.AuditLine line = null;
    if (event instanceof EnvironmentEntity.Requested e && e.owner() != null) {
      line = new EnvironmentDirectory.AuditLine(e.at(), e.owner(), "environment.create", environmentId, e.address());
    } else if (event instanceof EnvironmentEntity.StopRequested e && e.actor() != null) {
      line = new EnvironmentDirectory.AuditLine(e.at(), e.actor(), "environment.stop", environmentId, e.address());
    } else if (event instanceof EnvironmentEntity.Stopped e && e.actor() != null) {
      // A user's stop of one with no container to stop: stopped at once.
      line = new EnvironmentDirectory.AuditLine(e.at(), e.actor(), "environment.stop", environmentId, e.address());
    } else if (event instanceof EnvironmentEntity.Resized e) {
      line = new EnvironmentDirectory.AuditLine(e.at(), e.actor(), "environment.resize", environmentId, e.address());
    } else if (event instanceof EnvironmentEntity.RestartRequested e && e.actor() != null) {
      line = new EnvironmentDirectory.AuditLine(e.at(), e.actor(), "environment.restart", environmentId, e.address());
    } else if (event instanceof EnvironmentEntity.StartRequested e && e.actor() != null) {
      line = new EnvironmentDirectory.AuditLine(e.at(), e.actor(), "environment.start", environmentId, e.address());
    } else if (event instanceof EnvironmentEntity.DeleteRequested e && e.actor() != null) {
      line = new EnvironmentDirectory.AuditLine(e.at(), e.actor(), "environment.delete", environmentId, e.address());
    } else if (event instanceof EnvironmentEntity.SharedWith e && e.actor() != null) {
      line = new EnvironmentDirectory.AuditLine(e.at(), e.actor(), "environment.share", environmentId, e.address());
    } else if (event instanceof EnvironmentEntity.Deleted e && e.actor() != null) {
      line = new EnvironmentDirectory.AuditLine(e.at(), e.actor(), "environment.delete", environmentId, e.address());
    }
    if (line != null) {
      requests.addLast(line);
      if (requests.size() > REQUESTS_KEPT) {
        requests.removeFirst();
      }
    }
  }
}
