package io.dcloud.node;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The progress line a node sends (see {@link NodePeers#progress}) while it fetches an environment's
 * datasets into its cache: readable in the live feed as it is, and read back into bytes of total
 * for the environment's progress bar, the way a build's "Step 3/9" lines are.
 */
public final class DatasetFetchLine {
  private static final Pattern LINE = Pattern.compile("fetching datasets: (\\d{1,18}) of (\\d{1,18}) bytes");

  /** Bytes fetched so far of {@code totalBytes}. */
  public record Fetched(long bytes, long totalBytes) {}

  private DatasetFetchLine() {}

  public static String of(long bytes, long totalBytes) {
    return "fetching datasets: " + bytes + " of " + totalBytes + " bytes";
  }

  /** Empty unless {@code line} is one {@link #of} wrote. */
  public static Optional<Fetched> read(String line) {
    Matcher matcher = LINE.matcher(line);
    return matcher.matches()
        ? Optional.of(new Fetched(Long.parseLong(matcher.group(1)), Long.parseLong(matcher.group(2))))
        : Optional.empty();
  }
}
