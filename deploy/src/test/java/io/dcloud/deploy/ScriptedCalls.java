package io.dcloud.deploy;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The test's side of a {@link ScriptedRuntime}'s calls: every call is recorded for the test to read
 * back, then fails if the test scripted a failure for its operation, or waits at a gate the test
 * set. Kept apart from {@link ScriptedEngineState} so that a held call waits outside the engine's
 * lock and blocks no other call.
 */
final class ScriptedCalls {
  /** One engine call, as the test sees it: e.g. {@code ("remove", containerId)}. */
  private record Call(String operation, String target) {}

  private final List<Call> calls = new CopyOnWriteArrayList<>();
  private final Map<String, ScriptedRuntime.Gate> gates = new ConcurrentHashMap<>();
  private final Map<String, RuntimeException> failures = new ConcurrentHashMap<>();

  /** The next call of {@code operation} waits at the returned gate. */
  ScriptedRuntime.Gate hold(String operation) {
    ScriptedRuntime.Gate gate = new ScriptedRuntime.Gate();
    gates.put(operation, gate);
    return gate;
  }

  void fail(String operation, RuntimeException failure) {
    failures.put(operation, failure);
  }

  void heal(String operation) {
    failures.remove(operation);
  }

  /** Records the call, then throws its scripted failure or waits at its gate (a gate is used once). */
  void record(String operation, String target) {
    calls.add(new Call(operation, target));
    RuntimeException failure = failures.get(operation);
    if (failure != null) {
      throw failure;
    }
    ScriptedRuntime.Gate gate = gates.remove(operation);
    if (gate != null) {
      gate.pass(operation);
    }
  }

  /** The targets of every call so far of {@code operation}, oldest first. */
  List<String> targets(String operation) {
    return calls.stream().filter(c -> c.operation().equals(operation)).map(Call::target).toList();
  }
}
