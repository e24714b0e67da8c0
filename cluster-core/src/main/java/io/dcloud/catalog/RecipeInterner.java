package io.dcloud.catalog;

import java.lang.ref.WeakReference;
import java.util.Map;
import java.util.WeakHashMap;

/**
 * Holds each distinct image recipe once per process. Environments of a lab share a handful of
 * recipes, and a recipe carries its whole Dockerfile: without this, a hundred thousand entities
 * would each keep their own copy of the same text in memory. Entries go when no entity holds them.
 */
public final class RecipeInterner {
  private static final Map<ImageRecipe, WeakReference<ImageRecipe>> POOL = new WeakHashMap<>();

  private RecipeInterner() {}

  /** The process's one instance equal to {@code recipe} (null stays null). */
  public static synchronized ImageRecipe intern(ImageRecipe recipe) {
    if (recipe == null) {
      return null;
    }
    WeakReference<ImageRecipe> held = POOL.get(recipe);
    ImageRecipe shared = held == null ? null : held.get();
    if (shared != null) {
      return shared;
    }
    POOL.put(recipe, new WeakReference<>(recipe));
    return recipe;
  }
}
