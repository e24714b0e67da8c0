package io.dcloud.broker;

import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.eclipse.paho.client.mqttv3.IMqttActionListener;
import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.IMqttMessageListener;
import org.eclipse.paho.client.mqttv3.IMqttToken;
import org.eclipse.paho.client.mqttv3.MqttAsyncClient;
import org.eclipse.paho.client.mqttv3.MqttCallbackExtended;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One of DCloud's own connections to the broker, as the admin account, for one purpose (access
 * rules, ingest, commands): a Paho client that keeps reconnecting until closed. Paho reconnects a
 * lost connection by itself but gives up on a failed first connect, so that one is retried here
 * (the broker may start after DCloud). Sessions are clean ({@link #open}): whoever subscribes does
 * it again in {@code onEveryConnect}; or persistent with acknowledgements sent by the receiver
 * ({@link #openPersistent}, the readings ingest). Messages reach the listeners given to
 * {@code client().subscribe(...)}.
 */
public final class MqttConnection implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(MqttConnection.class);
  private static final Duration FIRST_RETRY = Duration.ofSeconds(1);
  private static final SecureRandom RANDOM = new SecureRandom();

  private final BrokerSettings settings;
  private final MqttAsyncClient client;
  private final MqttConnectOptions options;
  private final Consumer<MqttConnection> onEveryConnect;
  private final CompletableFuture<MqttConnection> firstConnect = new CompletableFuture<>();
  private final ScheduledExecutorService retries;
  private final boolean persistent;
  /**
   * Counts the connections lost: an acknowledgement is sent only on the connection its message came
   * in on. The broker sends what was not acknowledged again after a reconnect, under the same
   * message id, and the copy's own acknowledgement follows; a late one for the original could
   * otherwise acknowledge a newer message that reuses the id.
   */
  private final AtomicLong lost = new AtomicLong();
  /** Connection attempts failed in a row before the first connect; the log of them thins out (see {@link #retryLater}). */
  private final AtomicInteger failedAttempts = new AtomicInteger();
  private volatile IMqttMessageListener sharedMessages = (topic, message) -> {};
  private volatile boolean connected;
  private volatile boolean closed;

  private MqttConnection(BrokerSettings settings, String clientId, boolean persistent,
      Consumer<MqttConnection> onEveryConnect) throws MqttException {
    this.settings = settings;
    this.client = new MqttAsyncClient(settings.url(), clientId, new MemoryPersistence());
    this.persistent = persistent;
    this.onEveryConnect = onEveryConnect;
    this.options = new MqttConnectOptions();
    options.setUserName(settings.adminUsername());
    options.setPassword(settings.adminPassword().toCharArray());
    options.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1_1);
    options.setCleanSession(!persistent);
    options.setAutomaticReconnect(true);
    options.setMaxReconnectDelay((int) settings.reconnectMaxDelay().toMillis());
    options.setKeepAliveInterval((int) settings.keepAlive().toSeconds());
    options.setConnectionTimeout((int) Math.max(1, settings.requestTimeout().toSeconds()));
    options.setMaxInflight(settings.maxInflight());
    this.retries = Executors.newSingleThreadScheduledExecutor(runnable -> {
      Thread thread = new Thread(runnable, "mqtt-connect-" + clientId);
      thread.setDaemon(true);
      return thread;
    });
    client.setCallback(new StateCallback());
    client.setManualAcks(persistent);
  }

  /** Connects as the admin; the stage completes at the first successful connect. */
  public static CompletionStage<MqttConnection> connect(BrokerSettings settings, String clientIdPrefix) {
    return connect(settings, clientIdPrefix, connection -> {});
  }

  /**
   * Connects as the admin; see {@link #open}. The stage fails only when the client cannot be made
   * at all (a malformed URL); an unreachable broker is retried until closed.
   */
  public static CompletionStage<MqttConnection> connect(
      BrokerSettings settings, String clientIdPrefix, Consumer<MqttConnection> onEveryConnect) {
    try {
      return open(settings, clientIdPrefix, onEveryConnect).firstConnect;
    } catch (MqttException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  /**
   * A connection as the admin under a client id of {@code clientIdPrefix} and a random suffix (one
   * per node and purpose), connecting in the background: whoever may stop before the broker is
   * reachable closes it. {@code onEveryConnect} runs on Paho's thread after the first connect and
   * every reconnect (subscribe there).
   */
  public static MqttConnection open(BrokerSettings settings, String clientIdPrefix, Consumer<MqttConnection> onEveryConnect)
      throws MqttException {
    String clientId = clientIdPrefix + "-" + HexFormat.of().formatHex(RANDOM.generateSeed(4));
    MqttConnection connection = new MqttConnection(settings, clientId, false, onEveryConnect);
    connection.attempt(FIRST_RETRY);
    return connection;
  }

  /**
   * Like {@link #open} but under exactly {@code clientId}, which must stay the same across restarts
   * and differ between DCloud's processes, with a persistent session: while it is away the broker
   * keeps its subscriptions and the QoS 1 messages it has not acknowledged, and hands them over when
   * the same id connects again. Messages are acknowledged only through {@link #acknowledgement}.
   */
  public static MqttConnection openPersistent(BrokerSettings settings, String clientId,
      Consumer<MqttConnection> onEveryConnect) throws MqttException {
    MqttConnection connection = new MqttConnection(settings, clientId, true, onEveryConnect);
    connection.attempt(FIRST_RETRY);
    return connection;
  }

  private void attempt(Duration nextDelay) {
    if (closed) {
      return;
    }
    try {
      client.connect(options, null, new IMqttActionListener() {
        @Override
        public void onSuccess(IMqttToken token) {
          // connectComplete (StateCallback) marks it connected.
        }

        @Override
        public void onFailure(IMqttToken token, Throwable cause) {
          retryLater(nextDelay, cause);
        }
      });
    } catch (MqttException e) {
      retryLater(nextDelay, e);
    }
  }

  private void retryLater(Duration delay, Throwable cause) {
    if (closed) {
      return;
    }
    // A broker that stays away (or a cluster that runs none) must not fill the log with a line per
    // connection every 30 s: tries 1, 2, 4, 8, ... are warned of (at the 30 s cap, a line every 15,
    // 30, 60 min...), every try is at DEBUG, and the connect that ends it says how many failed.
    int failed = failedAttempts.incrementAndGet();
    boolean warned = Integer.bitCount(failed) == 1;
    if (warned || log.isDebugEnabled()) {
      String format = "MQTT {} cannot connect to {} as {} ({}); retrying in {} s (failed tries: {}{})";
      Object[] arguments = {client.getClientId(), settings.url(), settings.adminUsername(), cause.getMessage(),
          delay.toSeconds(), failed, warned ? "; the next warning at " + failed * 2 : ""};
      if (warned) {
        log.warn(format, arguments);
      } else {
        log.debug(format, arguments);
      }
    }
    Duration next = delay.multipliedBy(2).compareTo(settings.reconnectMaxDelay()) > 0 ? settings.reconnectMaxDelay() : delay.multipliedBy(2);
    retries.schedule(() -> attempt(next), delay.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** The Paho client, to subscribe and publish with (it throws while disconnected). */
  public MqttAsyncClient client() {
    return client;
  }

  /**
   * Where the messages of shared subscriptions ({@code $share/<group>/...}) go: Paho 1.2.5 does not
   * match such a filter against a message's topic, so their subscriptions' own listeners never run.
   */
  public void onSharedMessages(IMqttMessageListener listener) {
    this.sharedMessages = listener;
  }

  /**
   * What acknowledges {@code message} (just arrived, QoS 1) to the broker when run: the broker counts
   * it delivered only then. Call it on arrival, run it when the message is dealt with. On a
   * connection from {@link #open}, Paho has acknowledged already and this does nothing; if the
   * connection was lost in between, it does nothing either (the broker sends the message again).
   */
  public Runnable acknowledgement(MqttMessage message) {
    if (!persistent || message.getQos() == 0) {
      return () -> {};
    }
    long connection = lost.get();
    int id = message.getId();
    int qos = message.getQos();
    return () -> {
      if (lost.get() != connection) {
        log.debug("MQTT {}: message {} arrived before the connection was lost; the broker sends it again",
            client.getClientId(), id);
        return;
      }
      try {
        client.messageArrivedComplete(id, qos);
      } catch (MqttException e) {
        log.debug("MQTT {}: could not acknowledge message {} ({}); the broker sends it again", client.getClientId(),
            id, e.getMessage());
      }
    };
  }

  /**
   * Whether the connection is up now (a metrics gauge reads it). Paho's own state too: a dropped
   * connection fails the calls in flight before it tells {@link StateCallback#connectionLost}.
   */
  public boolean connected() {
    return connected && client.isConnected();
  }

  /** Publishes; the stage completes when the broker has it (QoS 1/2) or once it is sent (QoS 0). */
  public CompletionStage<Void> publish(String topic, byte[] payload, int qos, boolean retained) {
    CompletableFuture<Void> done = new CompletableFuture<>();
    try {
      client.publish(topic, payload, qos, retained, null, completing(done));
    } catch (MqttException e) {
      done.completeExceptionally(e);
    }
    return done;
  }

  /** Subscribes with {@code listener}; the stage completes when the broker has granted it (fails when refused). */
  public CompletionStage<Void> subscribe(String topicFilter, int qos, IMqttMessageListener listener) {
    CompletableFuture<Void> done = new CompletableFuture<>();
    try {
      client.subscribe(topicFilter, qos, null, new IMqttActionListener() {
        @Override
        public void onSuccess(IMqttToken token) {
          int[] granted = token.getGrantedQos();
          if (granted != null && granted.length > 0 && granted[0] == 0x80) {
            done.completeExceptionally(new IllegalStateException("the broker refused the subscription to " + topicFilter));
          } else {
            done.complete(null);
          }
        }

        @Override
        public void onFailure(IMqttToken token, Throwable cause) {
          done.completeExceptionally(cause);
        }
      }, listener);
    } catch (MqttException e) {
      done.completeExceptionally(e);
    }
    return done;
  }

  private static IMqttActionListener completing(CompletableFuture<Void> done) {
    return new IMqttActionListener() {
      @Override
      public void onSuccess(IMqttToken token) {
        done.complete(null);
      }

      @Override
      public void onFailure(IMqttToken token, Throwable cause) {
        done.completeExceptionally(cause);
      }
    };
  }

  public String clientId() {
    return client.getClientId();
  }

  @Override
  public void close() {
    closed = true;
    lost.incrementAndGet();
    retries.shutdownNow();
    try {
      if (client.isConnected()) {
        client.disconnect().waitForCompletion(settings.requestTimeout().toMillis());
      }
    } catch (MqttException e) {
      log.debug("MQTT {} did not disconnect cleanly: {}", client.getClientId(), e.getMessage());
    }
    try {
      client.close(true);
    } catch (MqttException e) {
      log.debug("MQTT {} did not close cleanly: {}", client.getClientId(), e.getMessage());
    }
    connected = false;
    firstConnect.completeExceptionally(new IllegalStateException("closed before connecting"));
  }

  private final class StateCallback implements MqttCallbackExtended {
    @Override
    public void connectComplete(boolean reconnect, String serverUri) {
      connected = true;
      int failed = failedAttempts.getAndSet(0);
      log.info("MQTT {} {} to {} as {}{}", client.getClientId(), reconnect ? "reconnected" : "connected",
          serverUri, settings.adminUsername(), failed == 0 ? "" : " after " + failed + " failed tries");
      try {
        onEveryConnect.accept(MqttConnection.this);
      } catch (RuntimeException e) {
        log.error("MQTT {}: what runs on connect failed", client.getClientId(), e);
      }
      firstConnect.complete(MqttConnection.this);
    }

    @Override
    public void connectionLost(Throwable cause) {
      lost.incrementAndGet();
      connected = false;
      // INFO: a drop the reconnect mends at once (a broker restart, the broker dropping the admin's
      // connections when its roles change) is no trouble; a reconnect that fails warns, from its first try.
      log.info("MQTT {} lost its connection to {} ({}); reconnecting", client.getClientId(), settings.url(),
          cause == null ? "no reason given" : cause.getMessage());
    }

    @Override
    public void messageArrived(String topic, MqttMessage message) {
      // Other subscriptions carry their own listeners: only shared subscriptions' messages come here.
      try {
        sharedMessages.messageArrived(topic, message);
      } catch (Exception e) {
        // Thrown out of here, it would drop the connection.
        log.warn("MQTT {}: a message on {} was not handled: {}", client.getClientId(), topic, e.toString());
      }
    }

    @Override
    public void deliveryComplete(IMqttDeliveryToken token) {
      // Publishers wait on their own tokens.
    }
  }
}
