package io.dcloud.resources;

import static io.dcloud.resources.Quantities.GIB;
import static io.dcloud.resources.Quantities.KIB;
import static io.dcloud.resources.Quantities.MIB;
import static io.dcloud.resources.Quantities.PIB;
import static io.dcloud.resources.Quantities.TIB;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.dcloud.validation.FieldError;
import io.dcloud.validation.ValidationException;
import java.math.BigDecimal;
import java.math.BigInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class QuantitiesTest {

  private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

  @ParameterizedTest
  @CsvSource({
    "512M, 536870912",
    "1G, 1073741824",
    "1g, 1073741824",
    "1.5G, 1610612736",
    "2Gi, 2147483648",
    "2GiB, 2147483648",
    "1GB, 1073741824",
    "100K, 102400",
    "1T, 1099511627776",
    "1P, 1125899906842624",
    "54, 57982058496",
    "0.5, 536870912",
    "100B, 100",
    "0, 0",
  })
  void readsSizesInBinaryUnits(String text, long bytes) {
    assertThat(Quantities.bytes("resources.ram", JSON.textNode(text))).isEqualTo(bytes);
  }

  @Test
  void aBareJsonNumberIsGibibytesAsTheSeedWritesStorage() {
    assertThat(Quantities.bytes("resources.storage", JSON.numberNode(54))).isEqualTo(54 * GIB);
    assertThat(Quantities.bytes("resources.storage", JSON.numberNode(1.5))).isEqualTo(3 * GIB / 2);
  }

  @Test
  void aBareNumberIsTheUnitTheCallerNames() {
    assertThat(Quantities.bytes("storage[0].size", JSON.textNode("10737418240"), 1)).isEqualTo(10 * GIB);
    assertThat(Quantities.bytes("storage[0].size", JSON.numberNode(512), 1)).isEqualTo(512);
    assertThat(Quantities.bytes("storage[0].size", JSON.textNode("2G"), 1)).isEqualTo(2 * GIB);
    assertThat(Quantities.bytes("resources.storage", JSON.numberNode(54), GIB)).isEqualTo(54 * GIB);
  }

  @Test
  void refusesNegativeAndGarbageSizesWithAHint() {
    assertThat(error(() -> Quantities.bytes("resources.ram", JSON.textNode("-1G"))))
        .isEqualTo(new FieldError("resources.ram", "\"-1G\" is negative: give a positive size such as 512M or 2G"));
    assertThat(error(() -> Quantities.bytes("resources.ram", JSON.textNode("abc"))))
        .isEqualTo(new FieldError("resources.ram",
            "\"abc\" is not a size: use a number with K, M, G or T, e.g. 512M or 2G"));
    assertThat(error(() -> Quantities.bytes("resources.ram", JSON.numberNode(-3))).reason()).contains("negative");
    assertThat(error(() -> Quantities.bytes("resources.ram", JSON.booleanNode(true))).reason())
        .isEqualTo("must be a size such as 512M or 2G, not a boolean");
    assertThat(error(() -> Quantities.bytes("resources.ram", JSON.textNode("99999999999P"))).reason())
        .contains("too large");
  }

  @ParameterizedTest
  @CsvSource({"1.0, 1000", "0.5, 500", "2, 2000", "500m, 500", "1500M, 1500", "0.25, 250", "0, 0"})
  void readsCpuAsCoresOrMillicores(String text, long millis) {
    assertThat(Quantities.milliCpus("resources.cpu", JSON.textNode(text))).isEqualTo(millis);
  }

  @Test
  void readsCpuFromJsonNumbers() {
    assertThat(Quantities.milliCpus("resources.cpu", JSON.numberNode(2))).isEqualTo(2000);
    assertThat(Quantities.milliCpus("resources.cpu", JSON.numberNode(0.5))).isEqualTo(500);
  }

  @Test
  void refusesBadCpu() {
    assertThat(error(() -> Quantities.milliCpus("resources.cpu", JSON.textNode("abc"))).reason())
        .isEqualTo("\"abc\" is not a CPU amount: use cores such as 0.5 or 2, or millicores such as 500m");
    assertThat(error(() -> Quantities.milliCpus("resources.cpu", JSON.textNode("-1"))).reason())
        .startsWith("\"-1\" is negative");
    assertThat(error(() -> Quantities.milliCpus("resources.cpu", JSON.textNode("0.0005"))).reason())
        .contains("finer than one millicore");
    assertThat(error(() -> Quantities.milliCpus("resources.cpu", JSON.arrayNode())).reason())
        .endsWith("not an array");
  }

  @Test
  void readsCounts() {
    assertThat(Quantities.count("resources.gpu", JSON.textNode("1"))).isEqualTo(1);
    assertThat(Quantities.count("resources.gpu", JSON.numberNode(3))).isEqualTo(3);
    assertThat(Quantities.count("resources.gpu", JSON.textNode("2.0"))).isEqualTo(2);
    assertThat(error(() -> Quantities.count("resources.gpu", JSON.textNode("1.5"))).reason())
        .isEqualTo("\"1.5\" is not a whole number");
    assertThat(error(() -> Quantities.count("resources.gpu", JSON.textNode("1e3"))).reason())
        .isEqualTo("\"1e3\" is not a whole number");
    assertThat(error(() -> Quantities.count("resources.gpu", JSON.numberNode(-1))).reason())
        .contains("negative");
    assertThat(error(() -> Quantities.count("resources.gpu", JSON.textNode("99999999999"))).reason())
        .contains("too large");
    assertThat(error(() -> Quantities.count("resources.gpu", JSON.nullNode())).reason()).startsWith("is required");
  }

  @Test
  void formatsSizesSoTheyReadBackExactly() {
    for (long bytes : new long[] {0, 100, KIB, 1536 * MIB, GIB, 54 * GIB, TIB, PIB, GIB + 1}) {
      assertThat(Quantities.bytes("x", JSON.textNode(Quantities.formatSize(bytes)))).isEqualTo(bytes);
    }
    assertThat(Quantities.formatSize(GIB)).isEqualTo("1G");
    assertThat(Quantities.formatSize(1536 * MIB)).isEqualTo("1536M");
    assertThat(Quantities.formatSize(100)).isEqualTo("100B");
  }

  @Test
  void formatsCoresSoTheyReadBackExactly() {
    assertThat(Quantities.formatCores(1500)).isEqualTo("1.5");
    assertThat(Quantities.formatCores(2000)).isEqualTo("2");
    assertThat(Quantities.formatCores(1)).isEqualTo("0.001");
    assertThat(Quantities.milliCpus("x", JSON.textNode(Quantities.formatCores(1)))).isEqualTo(1);
  }

  @Test
  void describesForPeople() {
    assertThat(Quantities.describeBytes((long) (62.8 * GIB))).isEqualTo("62.8 GiB");
    assertThat(Quantities.describeBytes(512 * MIB)).isEqualTo("512 MiB");
    assertThat(Quantities.describeBytes(10)).isEqualTo("10 B");
    assertThat(Quantities.describeCores(1000)).isEqualTo("1 core");
    assertThat(Quantities.describeCores(16000)).isEqualTo("16 cores");
  }

  @Test
  void echoesLongGarbageShortened() {
    String garbage = "x".repeat(10_000);
    assertThat(error(() -> Quantities.bytes("resources.ram", JSON.textNode(garbage))).reason()).hasSizeLessThan(120);
  }

  @Test
  void refusesNumbersLongerThan32CharactersBeforeReadingThem() {
    // A hundred thousand zeros would cost the BigDecimal arithmetic seconds; refused by length alone.
    String zeros = "0".repeat(100_000);
    for (Runnable read : new Runnable[] {
        () -> Quantities.count("resources.gpu", JSON.textNode(zeros)),
        () -> Quantities.bytes("resources.gpu", JSON.textNode(zeros + "1G")),
        () -> Quantities.milliCpus("resources.gpu", JSON.textNode("0." + zeros + "1")),
        () -> Quantities.count("resources.gpu", JSON.numberNode(new BigDecimal("1e300"))),
        () -> Quantities.count("resources.gpu", JSON.numberNode(new BigDecimal("1e-999999999"))),
        () -> Quantities.plainNumber("resources.gpu", JSON.numberNode(new BigInteger("9".repeat(1000)))),
    }) {
      FieldError error = error(read);
      assertThat(error.field()).isEqualTo("resources.gpu");
      assertThat(error.reason()).endsWith("a number of at most 32 characters");
    }
    String longest = "0".repeat(Quantities.MAX_NUMBER_CHARS - 1) + "2";
    assertThat(Quantities.count("resources.gpu", JSON.textNode(longest))).isEqualTo(2);
  }

  private static FieldError error(Runnable read) {
    try {
      read.run();
    } catch (ValidationException e) {
      assertThat(e.errors()).hasSize(1);
      return e.errors().get(0);
    }
    throw new AssertionError("expected a ValidationException");
  }
}
