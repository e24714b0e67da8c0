package io.dcloud.environment;

import io.dcloud.contracts.ImageRecipe;
import io.dcloud.spec.EnvironmentSpec;
import java.lang.ref.WeakReference;
import java.util.List;
import java.util.Map;
import java.util.WeakHashMap;

/**
 * Holds each distinct value an environment keeps — its image recipe, and the parts of its spec
 * that many environments of a lab have in common (OS and its release, version, languages and
 * libraries, resources, datasets, ports, storage, command, variables, constraints) — once per
 * process. Every request and every replayed event brings its own copies; without this, a hundred
 * thousand live entities would each keep their own (a recipe carries its whole Dockerfile). Entries
 * go when nothing holds them.
 */
final class SharedValues {
  private static final Pool POOL = new Pool();

  private SharedValues() {}

  /** The process's one recipe equal to {@code recipe} (null stays null). */
  static ImageRecipe recipe(ImageRecipe recipe) {
    return POOL.shared(recipe);
  }

  /** An equal spec whose parts are the process's shared instances; only its name stays its own. */
  static EnvironmentSpec spec(EnvironmentSpec spec) {
    if (spec == null) {
      return null;
    }
    return new EnvironmentSpec(
        spec.name(),
        POOL.shared(spec.version()),
        POOL.shared(spec.os()),
        POOL.shared(spec.osRelease()),
        POOL.shared(spec.languages()),
        POOL.shared(spec.resources()),
        POOL.shared(spec.datasets()),
        POOL.shared(spec.ports()),
        POOL.shared(spec.storage()),
        POOL.shared(spec.command()),
        POOL.shared(spec.env()),
        POOL.shared(spec.constraints()),
        spec.restartPolicy(),
        // Ciphertexts differ even for equal values (a nonce each): nothing to share.
        spec.secretEnv(),
        spec.idleTimeout(),
        spec.service(),
        spec.maxRuntime());
  }

  /** Equal values (records, lists, maps, strings) become one instance. */
  private static final class Pool {
    private final Map<Object, WeakReference<Object>> held = new WeakHashMap<>();

    @SuppressWarnings("unchecked")
    synchronized <V> V shared(V value) {
      if (value == null || isEmptyCollection(value)) {
        return value;
      }
      WeakReference<Object> reference = held.get(value);
      Object shared = reference == null ? null : reference.get();
      if (shared != null) {
        return (V) shared;
      }
      // A list read back from the journal is mutable: what many environments share must not be.
      V kept = value instanceof List<?> list ? (V) List.copyOf(list) : value;
      held.put(kept, new WeakReference<>(kept));
      return kept;
    }

    /** Empty immutable lists and maps are already one instance each. */
    private static boolean isEmptyCollection(Object value) {
      return (value instanceof List<?> list && list.isEmpty()) || (value instanceof Map<?, ?> map && map.isEmpty());
    }
  }
}
