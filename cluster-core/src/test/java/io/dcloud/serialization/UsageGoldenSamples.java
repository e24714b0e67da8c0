package io.dcloud.serialization;

import io.dcloud.usage.Usage;
import io.dcloud.usage.UsageArchive;
import java.time.Instant;
import java.util.Map;
import org.apache.pekko.actor.typed.ActorSystem;

/** The usage archive's events, snapshot and messages, for {@link GoldenSamples}. */
final class UsageGoldenSamples {
  private UsageGoldenSamples() {}

  static void add(Map<String, Object> s, ActorSystem<?> system, Instant at) {
    Usage usage = new Usage(7_200_000, 14_400_000_000L, 7_372_800_000L, 0);
    s.put("usage-archive-event.EnvironmentArchived",
        new UsageArchive.EnvironmentArchived("5f0e3d1c-1111-3222-8333-444455556666", "trainer", usage, at));
    UsageArchive.ArchivedEnvironment archived = new UsageArchive.ArchivedEnvironment("trainer", usage);
    s.put("usage-archive-snapshot.State",
        new UsageArchive.State(Map.of("5f0e3d1c-1111-3222-8333-444455556666", archived)));
    s.put("wire.usage-archive.Archive",
        new UsageArchive.Archive("5f0e3d1c-1111-3222-8333-444455556666", "trainer", usage, system.deadLetters()));
    s.put("wire.usage-archive.GetArchived", new UsageArchive.GetArchived(system.deadLetters()));
    s.put("wire.usage-archive.Archived",
        new UsageArchive.Archived(Map.of("5f0e3d1c-1111-3222-8333-444455556666", archived)));
  }
}
