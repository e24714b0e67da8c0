package io.dcloud.node;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** A kept volume's promise to an environment being created lasts its time to live, then lapses. */
class KeptVolumeClaimsTest {
  private final AtomicLong now = new AtomicLong(1_000);
  private final KeptVolumeClaims claims = new KeptVolumeClaims(Duration.ofSeconds(60), now::get);

  @Test
  void aPromiseHoldsForItsTimeToLiveAndAClaimAgainRenewsIt() {
    assertThat(claims.claim("vol", "env-a")).isEqualTo("env-a");
    now.addAndGet(Duration.ofSeconds(59).toNanos());
    assertThat(claims.claim("vol", "env-b")).isEqualTo("env-a");
    assertThat(claims.claim("vol", "env-a")).as("renewed").isEqualTo("env-a");
    now.addAndGet(Duration.ofSeconds(59).toNanos());
    assertThat(claims.claim("vol", "env-b")).isEqualTo("env-a");
    now.addAndGet(Duration.ofSeconds(1).toNanos());
    assertThat(claims.claim("vol", "env-b")).as("lapsed").isEqualTo("env-b");
  }

  @Test
  void volumesArePromisedEachOnTheirOwn() {
    assertThat(claims.claim("one", "env-a")).isEqualTo("env-a");
    assertThat(claims.claim("two", "env-b")).isEqualTo("env-b");
    claims.release("one", "env-a");
    assertThat(claims.claim("one", "env-c")).isEqualTo("env-c");
    assertThat(claims.claim("two", "env-c")).isEqualTo("env-b");
  }
}
