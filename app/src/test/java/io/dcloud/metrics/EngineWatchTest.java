package io.dcloud.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.typesafe.config.ConfigFactory;
import io.dcloud.deploy.DockerRuntime;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.pekko.cluster.MemberStatus;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** /ready follows the engine's latest answer, not only its first. */
class EngineWatchTest {
  private final ExecutorService blocking = Executors.newSingleThreadExecutor();
  private final Readiness readiness = new Readiness(null, true);

  @AfterEach
  void stop() {
    blocking.shutdownNow();
  }

  @Test
  void anEngineThatStopsAndComesBackTakesTheWorkerOutOfRotationAndBack() {
    AtomicReference<String> engine = new AtomicReference<>();
    EngineWatch watch = new EngineWatch(engine::get, readiness, blocking);

    watch.askOnce();
    await().atMost(Duration.ofSeconds(10)).until(() -> readiness.check(MemberStatus.up()).ready());

    engine.set("unavailable: connection refused");
    watch.askOnce();
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(readiness.check(MemberStatus.up()).checks())
        .containsEntry("docker-engine", "unavailable: connection refused"));

    engine.set(null);
    watch.askOnce();
    await().atMost(Duration.ofSeconds(10)).until(() -> readiness.check(MemberStatus.up()).ready());
  }

  @Test
  void aRealRuntimeWithNoEngineBehindItsSocketIsNotReady() {
    try (DockerRuntime runtime = DockerRuntime.create(ConfigFactory.parseString(
        "docker.host = \"unix:///nonexistent/docker.sock\"").withFallback(ConfigFactory.load().getConfig("dcloud.deploy")))) {
      EngineWatch watch = new EngineWatch(() -> EngineWatch.problemOf(runtime.info()), readiness, blocking);
      watch.askOnce();
      await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
        Readiness.Report report = readiness.check(MemberStatus.up());
        assertThat(report.ready()).isFalse();
        assertThat(report.checks().get("docker-engine")).startsWith("unavailable");
      });
    }
  }
}
