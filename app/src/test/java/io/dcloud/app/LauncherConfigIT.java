package io.dcloud.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The configuration a launched DCloud process has, with the class path {@code ./dcloud} and the
 * cluster tests give it ({@code target/classes:target/lib/*}, jars in directory order): every
 * library setting in DCloud's reference.conf files is in effect. Without {@code DCloudConfig}'s
 * layering a library's own reference.conf won whenever its jar was listed first.
 */
class LauncherConfigIT {

  @Test
  void everyLibrarySettingOfDCloudsReferenceFilesIsInEffectWithTheLaunchersClassPath() throws Exception {
    List<String> lines = runWithLauncherClassPath(ReferenceLayeringCheck.class.getName());

    assertThat(lines).as("DCloud's reference files on the class path")
        .filteredOn(line -> line.startsWith("FILE ")).hasSizeGreaterThanOrEqualTo(5);
    assertThat(lines).as("library settings DCloud's modules change")
        .contains("CHECKED pekko.persistence.cassandra.events-by-tag.enabled",
            "CHECKED pekko.persistence.cassandra.journal.support-deletes",
            "CHECKED datastax-java-driver.advanced.metadata.schema.debouncer.window",
            "CHECKED pekko.http.server.websocket.periodic-keep-alive-max-idle");
    assertThat(lines).filteredOn(line -> line.startsWith("LOST ") || line.startsWith("CONFLICT ")).isEmpty();
  }

  private static List<String> runWithLauncherClassPath(String mainClass) throws IOException, InterruptedException {
    Path target = Path.of("target");
    String classPath = target.resolve("test-classes") + ":" + target.resolve("classes") + ":" + target.resolve("lib") + "/*";
    Process process = new ProcessBuilder(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp", classPath, mainClass)
        .redirectErrorStream(true)
        .start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(process.exitValue()).as(output).isZero();
    return output.lines().toList();
  }
}
