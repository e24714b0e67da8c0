package io.dcloud.resources;

import static io.dcloud.contract.ContractReader.kindOf;

import com.fasterxml.jackson.databind.JsonNode;
import io.dcloud.contract.ContractReader;
import io.dcloud.validation.ValidationException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the quantities users write in the contracts — sizes ({@code "512M"}, {@code "1.5G"}, a bare
 * {@code 54}), CPU ({@code "0.5"}, {@code "500m"}) and counts ({@code "1"}) — and writes them back.
 *
 * <p>Every reader throws a {@link ValidationException} holding exactly one field error, so a parser
 * can collect the errors of all fields and report them together. Range limits (minimum memory,
 * maximum cores...) are the caller's business: the same size syntax serves RAM, disk and volumes.
 */
public final class Quantities {

  public static final long KIB = 1024L;
  public static final long MIB = KIB * 1024;
  public static final long GIB = MIB * 1024;
  public static final long TIB = GIB * 1024;
  public static final long PIB = TIB * 1024;

  /** One core in millicores: the unit of {@link Resources#milliCpus()}. */
  public static final long MILLIS_PER_CORE = 1000;

  /**
   * The longest number read from text, checked before any arithmetic: BigDecimal's work grows
   * faster than linearly with the digits, so a megabyte of zeros would hold a request thread for
   * seconds. The largest valid value (16 EiB in bytes, 20 digits) fits with room for decimals and units.
   */
  public static final int MAX_NUMBER_CHARS = 32;

  /** User text quoted back in a reason is cut here, so a megabyte of garbage gives a short message. */
  private static final int MAX_ECHOED_CHARS = 40;

  /**
   * A number, then an optional binary unit: K/M/G/T/P with an optional "i" and/or "B" (so "2G",
   * "2Gi", "2GB" and "2GiB" are all 2 GiB, like {@code docker run -m 2g}), or "B" alone for bytes.
   * What a bare number means depends on the field (see {@link #bytes(String, JsonNode, long)}).
   */
  private static final Pattern SIZE =
      Pattern.compile("(\\d+(?:\\.\\d+)?|\\.\\d+)\\s*(?:([KMGTP])I?B?|(B))?", Pattern.CASE_INSENSITIVE);

  /** Cores as a decimal ("0.5", "2") or millicores with an "m" suffix ("500m"), as Kubernetes writes them. */
  private static final Pattern CPU = Pattern.compile("(\\d+(?:\\.\\d+)?|\\.\\d+)\\s*(m)?", Pattern.CASE_INSENSITIVE);

  private static final Pattern DECIMAL = Pattern.compile("\\d+(?:\\.\\d+)?");

  private Quantities() {}

  /**
   * A size in bytes where a bare number means GiB, as the seeds write resources ({@code "storage": 54});
   * zero is allowed (callers that need more say so).
   */
  public static long bytes(String field, JsonNode value) {
    return bytes(field, value, GIB);
  }

  /**
   * A size in bytes where a bare number (or a string of digits) is {@code bareUnit} bytes each: the
   * seeds' resources mean GiB, the original project's volume sizes mean bytes, as Docker and
   * Kubernetes read a bare quantity.
   */
  public static long bytes(String field, JsonNode value, long bareUnit) {
    String text = numericText(field, value, "a size such as 512M or 2G");
    String trimmed = text.strip();
    if (trimmed.startsWith("-")) {
      throw ValidationException.of(
          field, quote(text) + " is negative: give a positive size such as 512M or 2G");
    }
    Matcher m = SIZE.matcher(trimmed);
    if (!m.matches()) {
      throw ValidationException.of(
          field, quote(text) + " is not a size: use a number with K, M, G or T, e.g. 512M or 2G");
    }
    long unit = m.group(3) != null ? 1 : m.group(2) == null ? bareUnit : unitOf(m.group(2));
    BigDecimal exact = new BigDecimal(m.group(1)).multiply(BigDecimal.valueOf(unit));
    // A fraction of a byte cannot be allocated; round up so "0.5K" is 512 bytes, not less than asked.
    return toLong(field, text, exact.setScale(0, RoundingMode.CEILING), "size");
  }

  /** A CPU amount in millicores: {@code "1.0"} and {@code 1} are 1000, {@code "500m"} is 500. */
  public static long milliCpus(String field, JsonNode value) {
    String text = numericText(field, value, "a number of cores such as 0.5 or 2, or millicores such as 500m");
    String trimmed = text.strip();
    if (trimmed.startsWith("-")) {
      throw ValidationException.of(
          field, quote(text) + " is negative: give a positive number of cores such as 0.5 or 2");
    }
    Matcher m = CPU.matcher(trimmed);
    if (!m.matches()) {
      throw ValidationException.of(
          field,
          quote(text) + " is not a CPU amount: use cores such as 0.5 or 2, or millicores such as 500m");
    }
    BigDecimal amount = new BigDecimal(m.group(1));
    BigDecimal millis = m.group(2) != null ? amount : amount.multiply(BigDecimal.valueOf(MILLIS_PER_CORE));
    if (millis.stripTrailingZeros().scale() > 0) {
      throw ValidationException.of(
          field, quote(text) + " is finer than one millicore: use at most 3 decimals, e.g. 0.25 or 250m");
    }
    return toLong(field, text, millis, "CPU amount");
  }

  /** A whole, non-negative count (GPUs, ports), written as a JSON number or a numeric string. */
  public static int count(String field, JsonNode value) {
    String text = numericText(field, value, "a whole number");
    String trimmed = text.strip();
    if (trimmed.startsWith("-")) {
      throw ValidationException.of(field, quote(text) + " is negative: give a whole number, 0 or more");
    }
    // Plain decimals only ("1e3" is not how anyone writes a GPU count); "1.0" is accepted as 1.
    if (!DECIMAL.matcher(trimmed).matches()) {
      throw ValidationException.of(field, quote(text) + " is not a whole number");
    }
    BigDecimal number = new BigDecimal(trimmed);
    if (number.stripTrailingZeros().scale() > 0) {
      throw ValidationException.of(field, quote(text) + " is not a whole number");
    }
    if (number.compareTo(BigDecimal.valueOf(Integer.MAX_VALUE)) > 0) {
      throw ValidationException.of(field, quote(text) + " is too large");
    }
    return number.intValueExact();
  }

  /** Writes a size the way {@link #bytes} reads it back exactly: "1G", "1536M", "100B". */
  public static String formatSize(long bytes) {
    long[] units = {PIB, TIB, GIB, MIB, KIB};
    String[] names = {"P", "T", "G", "M", "K"};
    for (int i = 0; i < units.length; i++) {
      if (bytes != 0 && bytes % units[i] == 0) {
        return (bytes / units[i]) + names[i];
      }
    }
    // A bare number means GiB in some fields, so plain bytes need their "B".
    return bytes + "B";
  }

  /** Writes a CPU amount as cores the way {@link #milliCpus} reads it back exactly: "1", "1.5", "0.25". */
  public static String formatCores(long milliCpus) {
    return BigDecimal.valueOf(milliCpus, 3).stripTrailingZeros().toPlainString();
  }

  /** For people: "62.8 GiB", "512 MiB", "100 B". */
  public static String describeBytes(long bytes) {
    long[] units = {PIB, TIB, GIB, MIB, KIB};
    String[] names = {"PiB", "TiB", "GiB", "MiB", "KiB"};
    for (int i = 0; i < units.length; i++) {
      if (Math.abs(bytes) >= units[i]) {
        return oneDecimal(BigDecimal.valueOf(bytes).divide(BigDecimal.valueOf(units[i]))) + " " + names[i];
      }
    }
    return bytes + " B";
  }

  /** For people: "1 core", "16 cores", "0.5 cores". */
  public static String describeCores(long milliCpus) {
    String cores = formatCores(milliCpus);
    return cores + (milliCpus == MILLIS_PER_CORE ? " core" : " cores");
  }

  /** Quotes user text for a reason, shortened so an error message stays readable. */
  public static String quote(String text) {
    return ContractReader.quote(text, MAX_ECHOED_CHARS);
  }

  private static String oneDecimal(BigDecimal value) {
    return value.setScale(1, RoundingMode.HALF_UP).stripTrailingZeros().toPlainString();
  }

  /**
   * The text of a JSON number or string, at most {@link #MAX_NUMBER_CHARS} long; anything else is
   * refused naming what was expected.
   */
  private static String numericText(String field, JsonNode value, String expected) {
    if (value == null || value.isNull() || value.isMissingNode()) {
      throw ValidationException.of(field, "is required: give " + expected);
    }
    if (value.isNumber()) {
      return plainNumber(field, value);
    }
    if (value.isTextual()) {
      return shortNumberText(field, value.textValue());
    }
    throw ValidationException.of(field, "must be " + expected + ", not " + kindOf(value));
  }

  /**
   * A JSON number as plain decimal text ("1.5", never "1E+3"), at most {@link #MAX_NUMBER_CHARS}
   * long. A literal such as {@code 1e999} parses to an infinite double, which has no decimal form,
   * and {@code 1e999999999} read as a BigDecimal would be a billion digits written out: both are
   * refused here, before any text is made.
   */
  public static String plainNumber(String field, JsonNode value) {
    if (value.isFloatingPointNumber() && !Double.isFinite(value.doubleValue())) {
      throw ValidationException.of(field, "is not a finite number");
    }
    BigDecimal number = value.decimalValue();
    // Digits before and after the point, from the representation alone (no digits are made).
    long integerDigits = (long) number.precision() - number.scale();
    if (integerDigits > MAX_NUMBER_CHARS || number.scale() > MAX_NUMBER_CHARS) {
      throw tooLongNumber(field, "is a number of more than " + MAX_NUMBER_CHARS + " digits");
    }
    return shortNumberText(field, number.toPlainString());
  }

  private static String shortNumberText(String field, String text) {
    if (text.length() > MAX_NUMBER_CHARS) {
      throw tooLongNumber(field, "is " + text.length() + " characters long");
    }
    return text;
  }

  private static ValidationException tooLongNumber(String field, String what) {
    return ValidationException.of(field, what + ": write a number of at most " + MAX_NUMBER_CHARS + " characters");
  }

  private static long unitOf(String suffix) {
    return switch (suffix.toUpperCase(Locale.ROOT)) {
      case "K" -> KIB;
      case "M" -> MIB;
      case "G" -> GIB;
      case "T" -> TIB;
      default -> PIB;
    };
  }

  private static long toLong(String field, String text, BigDecimal value, String what) {
    BigInteger whole = value.toBigIntegerExact();
    if (whole.bitLength() >= Long.SIZE) {
      throw ValidationException.of(field, quote(text) + " is too large a " + what);
    }
    return whole.longValueExact();
  }
}
