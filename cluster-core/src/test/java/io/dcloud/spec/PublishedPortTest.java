package io.dcloud.spec;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PublishedPortTest {
  @Test
  void thePublishedPortIsReachedWhereTheEngineBoundIt() {
    assertThat(new PublishedPort(8888, "tcp", "127.0.0.1", 32768).url("http")).isEqualTo("http://127.0.0.1:32768");
    assertThat(new PublishedPort(8888, "tcp", "0.0.0.0", 32768).url("http")).isEqualTo("http://127.0.0.1:32768");
    assertThat(new PublishedPort(8888, "tcp", "::", 32768).url("ws")).isEqualTo("ws://[::1]:32768");
    assertThat(new PublishedPort(8888, "tcp", "fd00::7", 32768).url("http")).isEqualTo("http://[fd00::7]:32768");
  }

  @Test
  void onItsOwnMachineTheContainersAddressIsUsedWhenKnown() {
    assertThat(new PublishedPort(8888, "tcp", "127.0.0.1", 32768, "172.18.0.5").urlOnItsMachine("http"))
        .isEqualTo("http://172.18.0.5:8888");
    assertThat(new PublishedPort(8888, "tcp", "127.0.0.1", 32768, "fd00:dc::5").urlOnItsMachine("ws"))
        .isEqualTo("ws://[fd00:dc::5]:8888");
    assertThat(new PublishedPort(8888, "tcp", "127.0.0.1", 32768).urlOnItsMachine("http"))
        .as("without it, the published port").isEqualTo("http://127.0.0.1:32768");
    assertThat(new PublishedPort(8888, "tcp", "127.0.0.1", 32768, "").urlOnItsMachine("http"))
        .isEqualTo("http://127.0.0.1:32768");
  }
}
