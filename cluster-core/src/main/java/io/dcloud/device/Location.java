package io.dcloud.device;

import io.dcloud.serialization.CborSerializable;

/**
 * Where a device is: a place by name ({@code site}, then {@code building}, then {@code room}), or a
 * point ({@code lat}/{@code lon}), or both. End users pick devices by it.
 */
public record Location(String site, String building, String room, Double lat, Double lon)
    implements CborSerializable {

  /** Whether this location is within {@code filter}: each non-null part of the filter equals this one's. */
  public boolean matches(Location filter) {
    return filter == null
        || (same(filter.site, site) && same(filter.building, building) && same(filter.room, room));
  }

  private static boolean same(String wanted, String actual) {
    return wanted == null || wanted.equals(actual);
  }
}
