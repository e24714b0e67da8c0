package io.dcloud.catalog;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class RecipeInternerTest {

  @Test
  void equalRecipesBecomeOneInstanceAndDifferentOnesStayApart() {
    ImageRecipe first = new ImageRecipe("dcloud/env:1", "debian:bookworm", new String("FROM debian:bookworm\n"));
    ImageRecipe same = new ImageRecipe("dcloud/env:1", "debian:bookworm", new String("FROM debian:bookworm\n"));
    ImageRecipe other = new ImageRecipe("dcloud/env:2", "debian:bookworm", "FROM debian:bookworm\nRUN true\n");

    assertThat(RecipeInterner.intern(first)).isSameAs(first);
    assertThat(RecipeInterner.intern(same)).isSameAs(first);
    assertThat(RecipeInterner.intern(other)).isSameAs(other);
    assertThat(RecipeInterner.intern(null)).isNull();
  }
}
