package io.dcloud.broker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.ConfigFactory;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

@Tag("mqtt")
class DynamicSecurityTest {

  @Test
  void eachCommandGetsItsOwnAnswerOrTheBrokersErrorText() throws Exception {
    try (MosquittoBroker broker = MosquittoBroker.start()) {
      BrokerSettings settings = MqttConnectionTest.settings(broker);
      try (MqttConnection connection = MqttConnection.connect(settings, "dynsec-test").toCompletableFuture().get(20, TimeUnit.SECONDS)) {
        DynamicSecurity dynsec = DynamicSecurity.over(connection, settings);
        dynsec.subscribe().toCompletableFuture().get(20, TimeUnit.SECONDS);

        List<CompletionStage<JsonNode>> answers = dynsec.executeAll(List.of(
            DynamicSecurity.command("deleteClient").put("username", "nobody"),
            DynamicSecurity.command("listClients")));

        assertThatThrownBy(() -> answers.get(0).toCompletableFuture().get(20, TimeUnit.SECONDS))
            .hasCauseInstanceOf(DynamicSecurity.Failure.class)
            .cause().hasMessage("deleteClient: Client not found");
        assertThat(answers.get(1).toCompletableFuture().get(20, TimeUnit.SECONDS).path("clients").toString())
            .contains("\"" + broker.adminUsername() + "\"");
      }
    }
  }

  @Test
  void aCommandWhoseAnswerNeverComesTimesOut() throws Exception {
    try (MosquittoBroker broker = MosquittoBroker.start()) {
      BrokerSettings settings = BrokerSettings.fromConfig(ConfigFactory.parseMap(Map.of("dcloud.broker.request-timeout", "1s"))
          .withFallback(ConfigFactory.parseMap(broker.config())).withFallback(ConfigFactory.load()).getConfig("dcloud.broker"));
      try (MqttConnection connection = MqttConnection.connect(settings, "dynsec-test").toCompletableFuture().get(20, TimeUnit.SECONDS)) {
        // Not subscribed to the responses: the broker answers, nobody hears it.
        DynamicSecurity deaf = DynamicSecurity.over(connection, settings);

        assertThatThrownBy(() -> deaf.execute(DynamicSecurity.command("listClients")).toCompletableFuture().get(20, TimeUnit.SECONDS))
            .isInstanceOf(ExecutionException.class)
            .hasCauseInstanceOf(TimeoutException.class);
      }
    }
  }
}
