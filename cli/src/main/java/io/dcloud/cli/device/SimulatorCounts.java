package io.dcloud.cli.device;

import java.util.concurrent.atomic.LongAdder;
import org.eclipse.paho.client.mqttv3.IMqttActionListener;
import org.eclipse.paho.client.mqttv3.IMqttToken;

/**
 * What a simulation did so far, counted from every device's callbacks at once: readings the broker
 * confirmed, commands acknowledged, and everything that failed (a publish refused or unconfirmed,
 * a command that could not be answered). The listeners are shared, so counting allocates nothing.
 */
final class SimulatorCounts {
  private final LongAdder published = new LongAdder();
  private final LongAdder acked = new LongAdder();
  private final LongAdder failed = new LongAdder();
  private final IMqttActionListener publishes = listener(published);
  private final IMqttActionListener acks = listener(acked);

  private IMqttActionListener listener(LongAdder succeeded) {
    return new IMqttActionListener() {
      @Override
      public void onSuccess(IMqttToken token) {
        succeeded.increment();
      }

      @Override
      public void onFailure(IMqttToken token, Throwable failure) {
        failed.increment();
      }
    };
  }

  IMqttActionListener publishes() {
    return publishes;
  }

  IMqttActionListener acks() {
    return acks;
  }

  void failed() {
    failed.increment();
  }

  long published() {
    return published.sum();
  }

  long acked() {
    return acked.sum();
  }

  long failures() {
    return failed.sum();
  }
}
