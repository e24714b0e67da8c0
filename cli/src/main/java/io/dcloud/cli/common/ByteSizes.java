package io.dcloud.cli.common;

import java.util.Locale;

/** Sizes for people, in binary units: {@code 512 B}, {@code 85.3 MiB}. */
public final class ByteSizes {
  private static final String[] UNITS = {"B", "KiB", "MiB", "GiB", "TiB"};

  private ByteSizes() {}

  public static String of(double bytes) {
    int unit = 0;
    while (bytes >= 1024 && unit < UNITS.length - 1) {
      bytes /= 1024;
      unit++;
    }
    return unit == 0 ? String.format(Locale.ROOT, "%.0f B", bytes)
        : String.format(Locale.ROOT, "%.1f %s", bytes, UNITS[unit]);
  }
}
