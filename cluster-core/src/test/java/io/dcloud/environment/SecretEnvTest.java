package io.dcloud.environment;

import static io.dcloud.environment.EnvironmentSpecParserFixture.DEFAULTS;
import static io.dcloud.environment.EnvironmentSpecParserFixture.LIMITS;
import static io.dcloud.environment.EnvironmentSpecParserFixture.MAPPER;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dcloud.contracts.ImageRecipe;
import io.dcloud.secret.SecretBox;
import io.dcloud.spec.EnvironmentSpec;
import io.dcloud.validation.FieldError;
import io.dcloud.validation.ValidationException;
import java.security.SecureRandom;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@code secret-env}: read like {@code env}, kept only encrypted; and every variable value, secret or
 * not, is write-only wherever a spec is shown (the contract form the API answers with, the
 * Kubernetes manifest, {@code toString} in logs).
 */
class SecretEnvTest {
  private static final SecretBox BOX = new SecretBox(key());

  private static byte[] key() {
    byte[] key = new byte[SecretBox.KEY_BYTES];
    new SecureRandom().nextBytes(key);
    return key;
  }

  private static ObjectNode config() {
    ObjectNode config = MAPPER.createObjectNode().put("env-name", "a").put("os", "debian");
    config.putObject("env").put("MODE", "plain-value-7");
    config.putObject("secret-env").put("API_TOKEN", "hunter2").put("DB_PASSWORD", "correct horse");
    return config;
  }

  private static List<FieldError> errors(JsonNode config, SecretBox box) {
    ValidationException e = catchThrowableOfType(
        ValidationException.class, () -> EnvironmentSpecParser.parse(config, DEFAULTS, LIMITS, box));
    assertThat(e).as("expected a ValidationException").isNotNull();
    return e.errors();
  }

  @Test
  void theSpecHoldsOnlyCiphertextThatTheKeyOpens() {
    EnvironmentSpec spec = EnvironmentSpecParser.parse(config(), DEFAULTS, LIMITS, BOX);

    assertThat(spec.env()).containsExactly(Map.entry("MODE", "plain-value-7"));
    assertThat(spec.secretEnv()).containsOnlyKeys("API_TOKEN", "DB_PASSWORD");
    assertThat(spec.secretEnv().values()).allSatisfy(v -> assertThat(v).startsWith("v1:"))
        .noneSatisfy(v -> assertThat(v).contains("hunter2"));
    assertThat(BOX.open("API_TOKEN", spec.secretEnv().get("API_TOKEN"))).isEqualTo("hunter2");
    assertThat(BOX.open("DB_PASSWORD", spec.secretEnv().get("DB_PASSWORD"))).isEqualTo("correct horse");
  }

  @Test
  void withoutAKeySecretEnvIsAFieldErrorNotAnotherException() {
    assertThat(errors(config(), null)).containsExactly(new FieldError("secret-env",
        "cannot be stored: this cluster has no secrets key to encrypt it with (the operator sets dcloud.secrets.key);"
            + " use env for values that are not secret"));
    ObjectNode withoutSecrets = config();
    withoutSecrets.remove("secret-env");
    assertThat(EnvironmentSpecParser.parse(withoutSecrets, DEFAULTS, LIMITS).secretEnv()).isEmpty();
  }

  @Test
  void namesFollowEnvsRulesAndAppearOnce() {
    ObjectNode config = config();
    ((ObjectNode) config.get("secret-env"))
        .put("MODE", "x").put("NVIDIA_VISIBLE_DEVICES", "all").put("1BAD", "x").set("NUMBER", MAPPER.getNodeFactory().numberNode(1));

    assertThat(errors(config, BOX)).containsExactly(
        new FieldError("secret-env.NVIDIA_VISIBLE_DEVICES",
            "reserved: the container runtime sets NVIDIA_* itself; choose another name"),
        new FieldError("secret-env.1BAD",
            "\"1BAD\" is not a variable name: use letters, digits and '_', not starting with a digit"),
        new FieldError("secret-env.NUMBER", "must be a string, not a number"),
        new FieldError("secret-env.MODE", "is also in env: give each variable once"));
  }

  @Test
  void envAndSecretEnvShareTheLimits() {
    ObjectNode config = MAPPER.createObjectNode().put("env-name", "a").put("os", "debian");
    config.putObject("env").put("BIG", "z".repeat(40 * 1024));
    config.putObject("secret-env").put("ALSO_BIG", "z".repeat(30 * 1024));

    assertThat(errors(config, BOX)).containsExactly(new FieldError("secret-env",
        "with env, holds 71693 bytes of variables (as NAME=value): at most 65536 are allowed"));

    ObjectNode many = MAPPER.createObjectNode().put("env-name", "a").put("os", "debian");
    ObjectNode env = many.putObject("env");
    for (int i = 0; i < LIMITS.maxVariables(); i++) {
      env.put("E" + i, "x");
    }
    many.putObject("secret-env").put("S", "x");
    assertThat(errors(many, BOX)).containsExactly(new FieldError("secret-env",
        "with env, lists 257 variables: at most 256 are allowed"));
  }

  @Test
  void theContractFormShowsNamesNotValues() {
    EnvironmentSpec spec = EnvironmentSpecParser.parse(config(), DEFAULTS, LIMITS, BOX);

    ObjectNode contract = EnvironmentContractWriter.toContract(spec, MAPPER);

    assertThat(contract.get("env")).isEqualTo(MAPPER.createObjectNode().put("MODE", "<set>"));
    assertThat(contract.get("secret-env"))
        .isEqualTo(MAPPER.createObjectNode().put("API_TOKEN", "<set>").put("DB_PASSWORD", "<set>"));
    assertThat(contract.toString()).doesNotContain("plain-value-7").doesNotContain("v1:");
  }

  @Test
  void theKubernetesManifestShowsNamesNotValues() {
    EnvironmentSpec spec = EnvironmentSpecParser.parse(config(), DEFAULTS, LIMITS, BOX);

    List<ObjectNode> objects = KubernetesManifest.render("id-1", spec, new ImageRecipe("img:1", "debian", ""), MAPPER);

    assertThat(objects.get(0).at("/spec/template/spec/containers/0/env")).isEqualTo(MAPPER.valueToTree(List.of(
        Map.of("name", "MODE", "value", "<set>"),
        Map.of("name", "API_TOKEN", "value", "<set>"),
        Map.of("name", "DB_PASSWORD", "value", "<set>"))));
    assertThat(objects.toString()).doesNotContain("plain-value-7").doesNotContain("v1:");
  }

  @Test
  void logsShowNamesNotValues() {
    EnvironmentSpec spec = EnvironmentSpecParser.parse(config(), DEFAULTS, LIMITS, BOX);

    assertThat(spec.toString())
        .contains("env={MODE=<set>}", "secretEnv={API_TOKEN=<set>, DB_PASSWORD=<set>}")
        .doesNotContain("plain-value-7").doesNotContain("v1:");
  }
}
