package io.dcloud.broker;

import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import org.eclipse.paho.client.mqttv3.IMqttActionListener;
import org.eclipse.paho.client.mqttv3.IMqttToken;

/** Paho's callbacks as CompletableFutures. */
final class Paho {
  private Paho() {}

  /** Completes {@code future} with {@code onSuccess}'s result (or what it throws), or Paho's failure. */
  static <T> IMqttActionListener listener(CompletableFuture<T> future, Function<IMqttToken, T> onSuccess) {
    return new IMqttActionListener() {
      @Override
      public void onSuccess(IMqttToken token) {
        try {
          future.complete(onSuccess.apply(token));
        } catch (RuntimeException e) {
          future.completeExceptionally(e);
        }
      }

      @Override
      public void onFailure(IMqttToken token, Throwable failure) {
        future.completeExceptionally(failure);
      }
    };
  }
}
