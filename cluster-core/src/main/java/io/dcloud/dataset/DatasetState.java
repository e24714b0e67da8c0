package io.dcloud.dataset;

import io.dcloud.serialization.CborSerializable;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What one dataset's events add up to; the entity and the read side fold the same way ({@link #apply}).
 *
 * @param id {@code category/db/name}
 * @param owner who uploaded its first version (null: nobody yet, or every version was deleted)
 * @param pending uploads begun and neither committed nor abandoned, by blob id, with when they began
 * @param garbage blobs of abandoned uploads and deleted versions whose chunks are not reclaimed yet
 * @param lastVersion the highest version ever added (never reused, even after a delete)
 */
public record DatasetState(
    String id,
    String owner,
    List<String> readers,
    List<String> readerGroups,
    List<DatasetVersion> versions,
    Map<String, Instant> pending,
    List<String> garbage,
    int lastVersion) implements CborSerializable {

  /** How a config names the newest version. */
  public static final String LATEST = "latest";

  public static DatasetState empty(String id) {
    return new DatasetState(id, null, List.of(), List.of(), List.of(), Map.of(), List.of(), 0);
  }

  /** Whether there is anything to read: a dataset whose versions were all deleted is gone. */
  public boolean exists() {
    return !versions.isEmpty();
  }

  public Optional<DatasetVersion> latest() {
    return versions.isEmpty() ? Optional.empty() : Optional.of(versions.get(versions.size() - 1));
  }

  public Optional<DatasetVersion> version(int number) {
    return versions.stream().filter(v -> v.version() == number).findFirst();
  }

  /**
   * The version an environment config names: {@code latest} or none is the newest, a number that
   * version; anything else (or a number it does not have) none.
   */
  public Optional<DatasetVersion> pick(String versionText) {
    if (versionText == null || versionText.equals(LATEST)) {
      return latest();
    }
    return versionText.matches("[1-9][0-9]{0,8}") ? version(Integer.parseInt(versionText)) : Optional.empty();
  }

  /** The owner, its readers and the members of its reader groups; admins are the caller's check. */
  public boolean readableBy(String user, java.util.Collection<String> groups) {
    return user.equals(owner) || readers.contains(user) || readerGroups.stream().anyMatch(groups::contains);
  }

  DatasetState apply(DatasetEntity.Event event) {
    if (event instanceof DatasetEntity.UploadStarted started) {
      Map<String, Instant> next = new LinkedHashMap<>(pending);
      next.put(started.blobId(), started.at());
      return new DatasetState(id, owner == null ? started.actor() : owner, readers, readerGroups, versions,
          Map.copyOf(next), garbage, lastVersion);
    }
    if (event instanceof DatasetEntity.VersionAdded added) {
      Map<String, Instant> next = new LinkedHashMap<>(pending);
      next.remove(added.version().blobId());
      List<DatasetVersion> more = new ArrayList<>(versions);
      more.add(added.version());
      return new DatasetState(id, owner, readers, readerGroups, List.copyOf(more), Map.copyOf(next), garbage,
          added.version().version());
    }
    if (event instanceof DatasetEntity.UploadAbandoned abandoned) {
      Map<String, Instant> next = new LinkedHashMap<>(pending);
      next.remove(abandoned.blobId());
      return withGarbage(versions, Map.copyOf(next), List.of(abandoned.blobId()));
    }
    if (event instanceof DatasetEntity.VersionsDeleted deleted) {
      List<DatasetVersion> kept = versions.stream().filter(v -> !deleted.versions().contains(v.version())).toList();
      List<String> blobs = versions.stream().filter(v -> deleted.versions().contains(v.version()))
          .map(DatasetVersion::blobId).toList();
      return withGarbage(kept, pending, blobs);
    }
    if (event instanceof DatasetEntity.BlobReclaimed reclaimed) {
      return new DatasetState(id, owner, readers, readerGroups, versions, pending,
          garbage.stream().filter(blob -> !blob.equals(reclaimed.blobId())).toList(), lastVersion);
    }
    if (event instanceof DatasetEntity.ReadersSet set) {
      return new DatasetState(id, owner, set.users(), set.groups(), versions, pending, garbage, lastVersion);
    }
    throw new IllegalArgumentException("unknown dataset event " + event);
  }

  /**
   * With nothing left and nothing on its way the dataset is gone, owner and readers too, so that
   * its name is free again; its version numbers still go on from {@code lastVersion}.
   */
  private DatasetState withGarbage(List<DatasetVersion> kept, Map<String, Instant> stillPending, List<String> more) {
    List<String> all = new ArrayList<>(garbage);
    more.stream().filter(blob -> !all.contains(blob)).forEach(all::add);
    boolean gone = kept.isEmpty() && stillPending.isEmpty();
    return new DatasetState(id, gone ? null : owner, gone ? List.of() : readers, gone ? List.of() : readerGroups,
        List.copyOf(kept), stillPending, List.copyOf(all), lastVersion);
  }
}
