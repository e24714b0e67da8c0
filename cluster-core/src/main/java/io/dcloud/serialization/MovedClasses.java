package io.dcloud.serialization;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;
import org.apache.pekko.serialization.jackson.JacksonMigration;

/**
 * Reads what was written under a class name that no longer exists because the class moved (the
 * manifest is the class name): the bytes are unchanged, only the name is. Each old name is bound
 * to this migration in {@code pekko.serialization.jackson.migrations} (reference.conf).
 */
public final class MovedClasses extends JacksonMigration {
  /** Old class name → new class name. */
  private static final Map<String, String> MOVED = Map.of(
      "io.dcloud.scheduler.Scheduler$Snapshot", "io.dcloud.scheduler.SchedulerSnapshot",
      "io.dcloud.scheduler.Scheduler$State", "io.dcloud.scheduler.SchedulerState");

  @Override
  public int currentVersion() {
    return 2;
  }

  @Override
  public String transformClassName(int fromVersion, String className) {
    return MOVED.getOrDefault(className, className);
  }

  @Override
  public JsonNode transform(int fromVersion, JsonNode json) {
    return json;
  }
}
