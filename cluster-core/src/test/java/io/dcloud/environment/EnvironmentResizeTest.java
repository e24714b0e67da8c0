package io.dcloud.environment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.dcloud.resources.Resources;
import io.dcloud.validation.ValidationException;
import org.junit.jupiter.api.Test;

class EnvironmentResizeTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Resources CURRENT = new Resources(1000, 1L << 30, 0, 10L << 30, null);

  private static Resources parse(String body) throws Exception {
    return EnvironmentResize.parse(JSON.readTree(body), CURRENT);
  }

  private static String errors(String body) throws Exception {
    ValidationException refused = catchThrowableOfType(ValidationException.class, () -> parse(body));
    assertThat(refused).as(body).isNotNull();
    return String.join("; ", refused.errors().stream().map(e -> e.field() + " " + e.reason()).toList());
  }

  @Test
  void readsWhatItChangesByTheConfigsRulesAndKeepsTheRest() throws Exception {
    assertThat(parse("{\"resources\": {\"cpu\": 2, \"ram\": \"4GB\"}}")).isEqualTo(new Resources(2000, 4L << 30, 0, 10L << 30, null));
    assertThat(parse("{\"resources\": {\"gpu\": 1}}")).isEqualTo(new Resources(1000, 1L << 30, 1, 10L << 30, null));
  }

  @Test
  void namesEachFieldItCannotReadOrChange() throws Exception {
    assertThat(errors("{\"resources\": {\"cpu\": 0, \"storage\": \"20GB\"}}"))
        .contains("resources.cpu must be more than 0")
        .contains("resources.storage cannot change: a created environment's volumes keep the size they were created with");
    assertThat(errors("{\"resources\": {\"ram\": \"1MB\"}}")).contains("resources.ram must be at least");
    assertThat(errors("{\"resources\": {}}")).startsWith("resources is required");
    assertThat(errors("{\"cpu\": 2}")).contains("cpu").contains("resources is required");
    assertThat(errors("[1]")).startsWith("resources is required");
    assertThat(errors("{\"resources\": {\"gpu-model\": \"H100\"}}")).contains("resources.gpu-model cannot change");
  }
}
