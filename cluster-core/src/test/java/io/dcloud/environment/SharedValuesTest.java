package io.dcloud.environment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dcloud.contracts.ImageRecipe;
import io.dcloud.resources.Resources;
import io.dcloud.spec.EnvironmentSpec;
import io.dcloud.spec.EnvironmentSpec.LanguageSpec;
import io.dcloud.spec.EnvironmentSpec.RestartPolicy;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SharedValuesTest {

  @Test
  void equalRecipesBecomeOneInstanceAndDifferentOnesStayApart() {
    ImageRecipe first = new ImageRecipe("dcloud/env:1", "debian:bookworm", new String("FROM debian:bookworm\n"));
    ImageRecipe same = new ImageRecipe("dcloud/env:1", "debian:bookworm", new String("FROM debian:bookworm\n"));
    ImageRecipe other = new ImageRecipe("dcloud/env:2", "debian:bookworm", "FROM debian:bookworm\nRUN true\n");

    assertThat(SharedValues.recipe(first)).isSameAs(first);
    assertThat(SharedValues.recipe(same)).isSameAs(first);
    assertThat(SharedValues.recipe(other)).isSameAs(other);
    assertThat(SharedValues.recipe(null)).isNull();
  }

  @Test
  void specsOfTwoRequestsShareTheirCommonPartsButNotTheirNames() {
    EnvironmentSpec first = SharedValues.spec(spec("alpha", 500));
    EnvironmentSpec second = SharedValues.spec(spec("beta", 500));
    EnvironmentSpec bigger = SharedValues.spec(spec("gamma", 2000));

    assertThat(second).isEqualTo(spec("beta", 500));
    assertThat(second.name()).isEqualTo("beta");
    assertThat(second.os()).isSameAs(first.os());
    assertThat(second.languages()).isSameAs(first.languages());
    assertThat(second.resources()).isSameAs(first.resources());
    assertThat(bigger.resources()).isNotSameAs(first.resources());
    assertThat(bigger.languages()).isSameAs(first.languages());
  }

  @Test
  void aSharedListCannotBeChangedThroughAnyOfItsHolders() {
    List<LanguageSpec> replayed = new ArrayList<>(List.of(new LanguageSpec(fresh("python"), List.of(fresh("pandas")))));
    EnvironmentSpec spec = new EnvironmentSpec(
        "replayed", "1", "debian", null, replayed, new Resources(750, 1L << 30, 0, 0, null), List.of(), List.of(), List.of(),
        List.of(), Map.of(), Map.of(), RestartPolicy.ALWAYS);

    List<LanguageSpec> shared = SharedValues.spec(spec).languages();

    assertThat(shared).isEqualTo(replayed);
    assertThatThrownBy(() -> shared.add(new LanguageSpec("r", List.of()))).isInstanceOf(UnsupportedOperationException.class);
  }

  /** Each request parsed from bytes brings its own strings: made here with new String. */
  private static EnvironmentSpec spec(String name, long milliCpus) {
    return new EnvironmentSpec(
        name, fresh("1"), fresh("debian"), null, List.of(new LanguageSpec(fresh("python"), List.of(fresh("numpy")))),
        new Resources(milliCpus, 1L << 30, 0, 0, null), List.of(), List.of(), List.of(), List.of(), Map.of(), Map.of(),
        RestartPolicy.ALWAYS);
  }

  private static String fresh(String text) {
    return new String(text);
  }
}
