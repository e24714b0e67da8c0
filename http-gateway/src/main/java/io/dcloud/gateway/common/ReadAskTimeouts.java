package io.dcloud.gateway.common;

import java.time.Duration;

/**
 * How long {@code GET /environments/{id}} waits for the environment's entity before it answers
 * from this gateway's read side, marked stale ({@code dcloud.http.read-ask-timeout}); and the
 * shorter wait while the gateway is refusing creates ({@code read-ask-timeout-while-shedding}).
 * Then every node is saturated with the creates it admitted, an entity's answer queues behind
 * them on its node and on the way back (hundreds of milliseconds at twice the sustainable rate,
 * BENCHMARKS §10), and the read side, local and a moment behind, is the answer that stays fast.
 */
public record ReadAskTimeouts(Duration normal, Duration whileShedding) {
  public ReadAskTimeouts {
    if (whileShedding.compareTo(normal) > 0) {
      // A longer wait under overload than without would turn the setting's point around.
      whileShedding = normal;
    }
  }
}
