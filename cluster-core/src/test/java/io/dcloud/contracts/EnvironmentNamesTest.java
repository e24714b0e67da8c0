package io.dcloud.contracts;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.UUID;
import org.junit.jupiter.api.Test;

class EnvironmentNamesTest {
  @Test
  void aVolumesNameSaysWhichNodeMadeItForWhichEnvironmentAndEntry() {
    String environment = UUID.randomUUID().toString();
    EnvironmentNames.VolumeOrigin origin =
        EnvironmentNames.volumeOrigin(EnvironmentNames.volumeName("rack-1/gpu 2", environment, 12)).orElseThrow();

    assertThat(origin.environmentId()).isEqualTo(environment);
    assertThat(origin.storageIndex()).isEqualTo(12);
    assertThat(origin.madeBy("rack-1/gpu 2")).isTrue();
    assertThat(origin.madeBy("rack-1")).isFalse();
    assertThat(EnvironmentNames.volumeOrigin("dcloud-n1-not-a-uuid-0")).isEmpty();
    assertThat(EnvironmentNames.volumeOrigin("dcloud-n1-" + environment)).as("no entry").isEmpty();
  }
}
