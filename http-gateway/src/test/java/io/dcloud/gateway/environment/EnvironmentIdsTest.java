package io.dcloud.gateway.environment;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class EnvironmentIdsTest {
  @Test
  void aUuidInEitherCaseIsTheLowercaseIdItWasCreatedWith() {
    String id = UUID.randomUUID().toString();
    assertThat(EnvironmentIds.canonical(id)).contains(id);
    assertThat(EnvironmentIds.canonical(id.toUpperCase())).contains(id);
    assertThat(EnvironmentIds.canonical("ABCDEF01-2345-6789-abcd-ef0123456789")).contains("abcdef01-2345-6789-abcd-ef0123456789");
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "", "no-such-environment",
      "3f2a0c1e-5b6d-4e7f-8a9b-0c1d2e3f4a5",      // one digit short
      "3f2a0c1e-5b6d-4e7f-8a9b-0c1d2e3f4a5b0",    // one too many
      "3f2a0c1e5-b6d-4e7f-8a9b-0c1d2e3f4a5b",     // a dash out of place
      "3f2a0c1e-5b6d-4e7f-8a9b+0c1d2e3f4a5b",     // not a dash
      "3f2a0c1g-5b6d-4e7f-8a9b-0c1d2e3f4a5b",     // g is no hex digit
      "3f2a0c1\uFF11-5b6d-4e7f-8a9b-0c1d2e3f4a5b", // a fullwidth one: a digit, not an ASCII one
      "3f2a0c1e-5b6d-4e7f-8a9b-0c1d2e3f4a5\u0665",  // an Arabic-Indic five
  })
  void anythingElseNamesNoEnvironment(String raw) {
    assertThat(EnvironmentIds.canonical(raw)).isEmpty();
  }
}
