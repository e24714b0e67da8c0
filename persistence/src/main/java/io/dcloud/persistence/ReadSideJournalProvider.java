package io.dcloud.persistence;

import com.typesafe.config.Config;
import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.persistence.query.ReadJournalProvider;

/** Pekko's entry to {@link ReadSideJournal} (the {@code class} of {@code dcloud.persistence.read-side-journal}). */
public final class ReadSideJournalProvider implements ReadJournalProvider {
  private final ReadSideJournal journal;

  /** Called by Pekko with this plugin's config section. */
  public ReadSideJournalProvider(ExtendedActorSystem system, Config config) {
    this.journal = new ReadSideJournal(system, config);
  }

  @Override
  public ReadSideJournal javadslReadJournal() {
    return journal;
  }

  /** DCloud reads through the Java API only: Pekko asks for both when it loads the plugin, and gets no queries here. */
  @Override
  public org.apache.pekko.persistence.query.scaladsl.ReadJournal scaladslReadJournal() {
    return new org.apache.pekko.persistence.query.scaladsl.ReadJournal() {};
  }
}
