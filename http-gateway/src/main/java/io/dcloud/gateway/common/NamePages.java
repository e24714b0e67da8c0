package io.dcloud.gateway.common;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Optional;

/**
 * A listing of named things (services, jobs) in pages, as Kubernetes' lists page: with {@code limit}
 * a full page's answer carries {@code continue}, an opaque token of the last name it considered, and
 * the same request with that token goes on after it. Names are unique, and listed in their own
 * order ({@link #of}) or in an order kept for them ({@link #inOrder}), so things made or removed
 * meanwhile move no other: each one that existed all along comes once.
 */
public record NamePages(int limit, String after) {
  public static final int MAX_LIMIT = 1000;

  /** Without {@code limit}: everything, in one answer. */
  public static NamePages parse(Optional<String> limit, Optional<String> token) {
    return new NamePages(limit.map(NamePages::limit).orElse(0), token.map(NamePages::after).orElse(null));
  }

  /** A page of {@code names} (in order) and the token of the next page, null when this is the last. */
  public record Page(List<String> names, String next) {}

  /** A page of {@code names} in their natural order. */
  public Page of(List<String> names) {
    return page(after == null ? names : names.stream().filter(name -> name.compareTo(after) > 0).toList());
  }

  /**
   * A page of {@code names} in the order given (newest first, say): the next goes on after the
   * token's name where it stands now, so the name must still be there; 410 when it is gone.
   */
  public Page inOrder(List<String> names) {
    if (after == null) {
      return page(names);
    }
    int at = names.indexOf(after);
    if (at < 0) {
      throw Problem.of(Problem.Type.CONTINUE_EXPIRED, "the page that continue goes on after ended at " + after
          + ", which is no longer listed: list again from the start", "continue", "names a place that is gone").exception();
    }
    return page(names.subList(at + 1, names.size()));
  }

  private Page page(List<String> rest) {
    if (limit == 0 || rest.size() <= limit) {
      return new Page(rest, null);
    }
    List<String> page = rest.subList(0, limit);
    return new Page(page, Base64.getUrlEncoder().withoutPadding()
        .encodeToString(page.get(page.size() - 1).getBytes(StandardCharsets.UTF_8)));
  }

  /** {@code limit} as a request gives it: 1 to {@value #MAX_LIMIT}, or a 400 naming the field. */
  public static int limit(String text) {
    try {
      int limit = Integer.parseInt(text.strip());
      if (limit >= 1 && limit <= MAX_LIMIT) {
        return limit;
      }
    } catch (NumberFormatException malformed) {
      // answered below
    }
    throw Problem.of(Problem.Type.MALFORMED_REQUEST, "limit must be 1 to " + MAX_LIMIT, "limit",
        "must be a whole number from 1 to " + MAX_LIMIT).exception();
  }

  private static String after(String token) {
    try {
      String name = new String(Base64.getUrlDecoder().decode(token.strip()), StandardCharsets.UTF_8);
      if (!name.isEmpty()) {
        return name;
      }
    } catch (IllegalArgumentException malformed) {
      // answered below
    }
    throw Problem.of(Problem.Type.MALFORMED_REQUEST, "continue is not a token of this API", "continue",
        "must be the continue value of the previous page's answer, as it was").exception();
  }
}
