package io.dcloud.environment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.ConfigFactory;
import io.dcloud.contracts.ImageRecipe;
import io.dcloud.resources.Resources;
import io.dcloud.spec.EnvironmentSpec;
import io.dcloud.validation.FieldError;
import io.dcloud.validation.ValidationException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A config's idle-timeout and max-runtime: read, refused with a field error, written back; and the
 * stop they lead to.
 */
class IdleTimeoutTest {
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final Resources DEFAULTS = new Resources(1000, 1L << 30, 0, 0, null);
  private static final SpecLimits LIMITS = SpecLimits.fromConfig(ConfigFactory.load());
  private static final Instant AT = Instant.parse("2026-11-30T12:00:00Z");
  private static final String IDLE = "stopped after 30m idle";

  private static EnvironmentSpec parse(String idleTimeout) throws Exception {
    String field = idleTimeout == null ? "" : ", \"idle-timeout\": " + idleTimeout;
    return EnvironmentSpecParser.parse(
        MAPPER.readTree("{\"env-name\": \"a\", \"os\": \"debian\"" + field + "}"), DEFAULTS, LIMITS);
  }

  @Test
  void aTimeoutIsReadAndWrittenBackInItsUnit() throws Exception {
    assertThat(parse("\"30m\"").idleTimeout()).isEqualTo(Duration.ofMinutes(30));
    assertThat(parse("\"45s\"").idleTimeout()).isEqualTo(Duration.ofSeconds(45));
    assertThat(parse("\"2h\"").idleTimeout()).isEqualTo(Duration.ofHours(2));
    assertThat(parse("\"90m\"").idleTimeout()).isEqualTo(Duration.ofMinutes(90));
    for (String written : List.of("30m", "45s", "2h", "90m", "1d")) {
      EnvironmentSpec spec = parse("\"" + written + "\"");
      assertThat(EnvironmentContractWriter.toContract(spec, MAPPER).path("idle-timeout").asText()).isEqualTo(written);
    }
  }

  @Test
  void noTimeoutIsNullAndNotWritten() throws Exception {
    EnvironmentSpec spec = parse(null);
    assertThat(spec.idleTimeout()).isNull();
    assertThat(parse("null").idleTimeout()).isNull();
    assertThat(EnvironmentContractWriter.toContract(spec, MAPPER).has("idle-timeout")).isFalse();
  }

  @ParameterizedTest
  @ValueSource(strings = {"\"soon\"", "\"0m\"", "\"-5m\"", "\"30\"", "\"1.5h\"", "30", "[]"})
  void anythingElseIsAFieldError(String value) {
    assertThatThrownBy(() -> parse(value))
        .isInstanceOfSatisfying(ValidationException.class, e -> assertThat(e.errors())
            .extracting(FieldError::field).containsExactly("idle-timeout"));
    assertThatThrownBy(() -> parseMaxRuntime(value))
        .isInstanceOfSatisfying(ValidationException.class, e -> assertThat(e.errors())
            .extracting(FieldError::field).containsExactly("max-runtime"));
  }

  private static EnvironmentSpec parseMaxRuntime(String maxRuntime) throws Exception {
    return EnvironmentSpecParser.parse(MAPPER.readTree(
        "{\"env-name\": \"a\", \"os\": \"debian\", \"max-runtime\": " + maxRuntime + "}"), DEFAULTS, LIMITS);
  }

  @Test
  void aMaxRuntimeIsReadAndWrittenBackBesideAnIdleTimeout() throws Exception {
    EnvironmentSpec spec = EnvironmentSpecParser.parse(MAPPER.readTree(
        "{\"env-name\": \"a\", \"os\": \"debian\", \"idle-timeout\": \"30m\", \"max-runtime\": \"2d\"}"), DEFAULTS, LIMITS);
    assertThat(spec.maxRuntime()).isEqualTo(Duration.ofDays(2));
    assertThat(spec.idleTimeout()).isEqualTo(Duration.ofMinutes(30));
    assertThat(EnvironmentContractWriter.toContract(spec, MAPPER).path("max-runtime").asText()).isEqualTo("2d");
    assertThat(parse(null).maxRuntime()).isNull();
    assertThat(EnvironmentContractWriter.toContract(parse(null), MAPPER).has("max-runtime")).isFalse();
    assertThat(spec.sameRequestAs(parse("\"30m\""))).as("a create retried with another max-runtime").isFalse();
  }

  private static EnvironmentState running() {
    EnvironmentSpec spec = new EnvironmentSpec("demo", "1", "debian", null, List.of(), DEFAULTS, List.of(), List.of(),
        List.of(), List.of(), java.util.Map.of(), java.util.Map.of(), EnvironmentSpec.RestartPolicy.NEVER);
    return EnvironmentState.empty("e1")
        .apply(new EnvironmentEntity.Requested(spec, new ImageRecipe("t", "b", "FROM b\n"), AT), 100)
        .apply(new EnvironmentEntity.PlacedOnNode("n1", List.of(), AT), 100)
        .apply(new EnvironmentEntity.ContainerRunning("c1", List.of(), AT), 100);
  }

  @Test
  void anIdleStopOfARunningEnvironmentPutsItsReasonInTheHistory() {
    EnvironmentEntity.Event event = Transitions.stop(running(), AT, null, IDLE, null);

    assertThat(event).isEqualTo(new EnvironmentEntity.StopRequested(AT, null, IDLE));
    EnvironmentState stopping = running().apply(event, 100);
    assertThat(stopping.status()).isEqualTo(EnvironmentStatus.STOPPING);
    assertThat(stopping.history().get(stopping.history().size() - 1).message()).isEqualTo(IDLE);
  }

  @Test
  void anIdleStopChangesNothingOnceTheEnvironmentIsNoLongerRunning() {
    EnvironmentState stopping = running().apply(new EnvironmentEntity.StopRequested(AT, "ella"), 100);
    EnvironmentState restarted = stopping.apply(new EnvironmentEntity.Stopped("stopped", AT), 100)
        .apply(new EnvironmentEntity.StartRequested(AT, "ella"), 100);

    assertThat(Transitions.stop(stopping, AT, null, IDLE, null)).isNull();
    assertThat(Transitions.stop(restarted, AT, null, IDLE, null)).isNull();
    // A user's stop of the restarted one still stops it.
    assertThat(Transitions.stop(restarted, AT, "ella")).isNotNull();
  }
}
