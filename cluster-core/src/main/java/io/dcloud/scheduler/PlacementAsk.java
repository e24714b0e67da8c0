package io.dcloud.scheduler;

import io.dcloud.resources.Resources;
import java.util.Locale;
import java.util.Map;

/**
 * A {@link PlacementRequest} as {@link Placement} reads it: its nulls resolved, and the GPU model
 * folded to lower case once, since it is compared with the device names of every node checked.
 */
record PlacementAsk(Resources resources, String gpuModel, Map<String, String> constraints, boolean spreadRequired) {
  static PlacementAsk of(PlacementRequest request) {
    Resources r = request.resources() == null ? Resources.NONE : request.resources();
    String model = r.gpuModel() == null || r.gpuModel().isBlank() ? null : r.gpuModel().toLowerCase(Locale.ROOT);
    Map<String, String> constraints = request.constraints() == null ? Map.of() : request.constraints();
    return new PlacementAsk(r, model, constraints, Boolean.TRUE.equals(request.spreadRequired()));
  }

  boolean wantsGpus() {
    return resources.gpus() > 0;
  }
}
