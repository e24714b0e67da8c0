package io.dcloud.cli.env;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dcloud.cli.common.CliException;
import io.dcloud.cli.common.ExitCodes;
import java.util.List;
import org.junit.jupiter.api.Test;

class SetOverridesTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  private static ObjectNode applied(String json, String... sets) throws Exception {
    ObjectNode root = (ObjectNode) JSON.readTree(json);
    SetOverrides.apply(root, List.of(sets));
    return root;
  }

  @Test
  void setsNestedFieldsMakingTheObjectsOnTheWay() throws Exception {
    ObjectNode root = applied("{\"env-name\": \"a\", \"resources\": {\"cpu\": \"1\"}}",
        "resources.ram=8G", "env.GREETING=hello world", "env-name=b");
    assertThat(root.toString())
        .isEqualTo("{\"env-name\":\"b\",\"resources\":{\"cpu\":\"1\",\"ram\":\"8G\"},\"env\":{\"GREETING\":\"hello world\"}}");
  }

  @Test
  void typesWholeNumbersBooleansAndJsonButKeepsQuantitiesAndDecimalsText() throws Exception {
    ObjectNode root = applied("{}", "resources.gpu=2", "resources.cpu=0.5", "a=true", "b=007",
        "command=[\"sh\",\"-c\",\"make\"]", "c=x=y");
    assertThat(root.path("resources").path("gpu").isIntegralNumber()).isTrue();
    assertThat(root.path("resources").path("cpu").isTextual()).isTrue();
    assertThat(root.path("a").isBoolean()).isTrue();
    assertThat(root.path("b").asText()).as("a leading zero is no number").isEqualTo("007");
    assertThat(root.path("command").toString()).isEqualTo("[\"sh\",\"-c\",\"make\"]");
    assertThat(root.path("c").asText()).as("only the first = splits").isEqualTo("x=y");
  }

  @Test
  void indexesIntoListsAndGrowsThem() throws Exception {
    ObjectNode root = applied("{\"languages\": [{\"language-name\": \"python\"}]}",
        "languages[0].libraries=[\"numpy\"]", "languages[1].language-name=r", "matrix[1][0]=x");
    assertThat(root.path("languages").get(0).path("libraries").get(0).asText()).isEqualTo("numpy");
    assertThat(root.path("languages").get(1).path("language-name").asText()).isEqualTo("r");
    assertThat(root.path("matrix").toString()).isEqualTo("[null,[\"x\"]]");
  }

  @Test
  void refusesMalformedAssignmentsAsUsageErrors() {
    assertUsage("resources.ram", "expected path=value");
    assertUsage("=8G", "expected path=value");
    assertUsage("resources..ram=8G", "is not a field name");
    assertUsage("env-name.x=1", "env-name is not an object");
    assertUsage("languages[99999].x=1", "is over 1000");
    assertUsage("resources=[1,", "looks like JSON but is not");
  }

  private static void assertUsage(String assignment, String message) {
    assertThatThrownBy(() -> applied("{\"env-name\": \"a\"}", assignment))
        .isInstanceOfSatisfying(CliException.class, e -> assertThat(e.exitCode()).isEqualTo(ExitCodes.USAGE))
        .hasMessageContaining(message);
  }
}
