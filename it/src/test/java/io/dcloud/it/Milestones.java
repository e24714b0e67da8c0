package io.dcloud.it;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Several things a test waits for at once, polled together until all are met or the time is up,
 * so one slow or missing behaviour does not hide whether the others happened. Each milestone is an
 * assertion; once it passes it stays met (it records that something happened, e.g. "went through
 * LOST"). The failure names what was met, when, and why the rest were not.
 */
final class Milestones {
  @FunctionalInterface
  interface Check {
    void verify() throws Exception;
  }

  private final Instant since;
  private final Map<String, Check> checks = new LinkedHashMap<>();
  private final Map<String, Duration> metAfter = new LinkedHashMap<>();
  private final Map<String, String> lastFailure = new LinkedHashMap<>();

  /** Times are reported relative to {@code since} (e.g. the moment a node was killed). */
  Milestones(Instant since) {
    this.since = since;
  }

  Milestones add(String name, Check check) {
    checks.put(name, check);
    return this;
  }

  /** Polls every 500 ms until every milestone is met or {@code within} (from now) has passed. */
  Map<String, Duration> awaitAll(Duration within) throws InterruptedException {
    Instant deadline = Instant.now().plus(within);
    while (true) {
      for (Map.Entry<String, Check> check : checks.entrySet()) {
        if (metAfter.containsKey(check.getKey())) {
          continue;
        }
        try {
          check.getValue().verify();
          metAfter.put(check.getKey(), Duration.between(since, Instant.now()));
          lastFailure.remove(check.getKey());
        } catch (Exception | AssertionError notYet) {
          lastFailure.put(check.getKey(), String.valueOf(notYet.getMessage()).strip());
        }
      }
      if (metAfter.size() == checks.size()) {
        return Map.copyOf(metAfter);
      }
      if (Instant.now().isAfter(deadline)) {
        throw new AssertionError(report(within));
      }
      Thread.sleep(500); // the poll interval, not synchronisation: the loop re-checks real state.
    }
  }

  String report(Duration within) {
    StringBuilder out = new StringBuilder("not all met within " + within + ":");
    for (String name : checks.keySet()) {
      Duration met = metAfter.get(name);
      out.append("\n  ").append(met != null ? "[met after " + met.toMillis() / 1000.0 + " s] " : "[NOT MET] ").append(name);
      if (met == null) {
        out.append("\n      last: ").append(abbreviate(lastFailure.get(name)));
      }
    }
    return out.toString();
  }

  private static String abbreviate(String text) {
    if (text == null) {
      return "";
    }
    String oneLine = text.replaceAll("\\s+", " ");
    return oneLine.length() > 600 ? oneLine.substring(0, 600) + "…" : oneLine;
  }
}
