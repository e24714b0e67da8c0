package io.dcloud.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.dcloud.testing.Requirements;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code dcloud} script itself, run for real (Linux: setsid, flock, /proc), with stand-ins for
 * dockerd and Maven first on the PATH. It runs a copy in a temporary folder, so the state folder
 * (build lock, dockerd log) is the copy's own: {@code ./dcloud test} holds the tree's build lock.
 */
class DcloudScriptTest {

  private static final Path SCRIPT = Path.of(System.getProperty("user.dir")).resolveSibling("dcloud");
  private static final Duration STARTS_WITHIN = Duration.ofSeconds(30);
  /** A process that got the group's signals is gone long before this; the daemon must outlive it. */
  private static final Duration STAYS_ALIVE_FOR = Duration.ofSeconds(2);

  @TempDir Path dir;
  private Path tree;
  private Path bin;
  private final List<Process> processes = new ArrayList<>();
  private final List<Long> daemons = new ArrayList<>();

  @AfterEach
  void cleanUp() throws IOException {
    touch(dir.resolve("mvn-release"));
    processes.forEach(Process::destroyForcibly);
    daemons.forEach(pid -> ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly));
  }

  /**
   * What Ctrl-C on {@code ./dcloud dev} does: the terminal signals the whole foreground process
   * group. dockerd, started by the script from that group, must not be in it.
   */
  @Test
  void dockerdItStartsOutlivesSigintAndSigtermToTheTerminalsProcessGroup() throws Exception {
    setUp();
    // The group a terminal would make for ./dcloud dev: a new one, so the signals below never reach
    // this JVM. Its leader starts dockerd through the script, then stays like DCloud's JVM would.
    Process leader = start(dir.resolve("leader.err"),
        "setsid", "bash", "-c", "bash \"$0\" __start-dockerd && exec sleep 600", tree.resolve("dcloud").toString());
    long group = leader.pid();
    await().atMost(STARTS_WITHIN).until(() -> stat(group).pgrp() == group);
    assertThat(group).isNotEqualTo(stat(ProcessHandle.current().pid()).pgrp());
    long daemon = awaitFakeDockerd();

    assertThat(run("kill", "-INT", "--", "-" + group)).isZero();
    // The INT may already have emptied the group (the leader gone, the daemon elsewhere).
    run("kill", "-TERM", "--", "-" + group);

    await().atMost(STARTS_WITHIN).until(() -> !leader.isAlive());
    await("dockerd outlives the group's signals").during(STAYS_ALIVE_FOR).atMost(STAYS_ALIVE_FOR.plusSeconds(3)).until(() -> alive(daemon));
  }

  @Test
  void dockerdRunsInItsOwnSessionWithLiveRestoreNoStdinAndItsLog() throws Exception {
    setUp();
    Process script = start(dir.resolve("script.err"), "bash", tree.resolve("dcloud").toString(), "__start-dockerd");
    long daemon = awaitFakeDockerd();
    await().atMost(STARTS_WITHIN).until(() -> !script.isAlive());

    assertThat(script.exitValue()).isZero();
    assertThat(Files.readAllLines(dir.resolve("dockerd-args"))).containsExactly("--live-restore");
    Stat stat = stat(daemon);
    assertThat(stat.session()).as("its session").isEqualTo(daemon);
    assertThat(stat.pgrp()).as("its process group").isEqualTo(daemon);
    assertThat(Files.readSymbolicLink(Path.of("/proc", "" + daemon, "fd", "0"))).isEqualTo(Path.of("/dev/null"));
    assertThat(Files.readSymbolicLink(Path.of("/proc", "" + daemon, "fd", "1")))
        .isEqualTo(tree.resolve(".dcloud/dockerd.log").toRealPath());
  }

  /**
   * A fresh machine's first dockerd can give up on its containerd ("timeout waiting for containerd
   * to start") where a second start works: the script starts it once more and says why.
   */
  @Test
  void aDockerdThatExitsWhileStartingIsStartedOnceMore() throws Exception {
    setUp();
    executable(bin.resolve("docker"), """
        #!/bin/sh
        [ "$1" = info ] && [ -e %1$s/dockerd-second ]
        """.formatted(dir));
    executable(bin.resolve("dockerd"), """
        #!/bin/sh
        if [ ! -e %1$s/dockerd-failed ]; then
          touch %1$s/dockerd-failed
          echo "failed to start containerd: timeout waiting for containerd to start" >&2
          exit 1
        fi
        echo $$ > %1$s/dockerd-pid.tmp && mv %1$s/dockerd-pid.tmp %1$s/dockerd-pid
        touch %1$s/dockerd-second
        exec sleep 600
        """.formatted(dir));

    runToTheEnd(dir.resolve("ensure.err"), "__ensure-docker");

    long daemon = awaitFakeDockerd();
    assertThat(alive(daemon)).isTrue();
    assertThat(Files.readString(dir.resolve("ensure.err"))).contains("dockerd exited while starting (failed to start "
        + "containerd: timeout waiting for containerd to start); starting it once more");
  }

  /**
   * ./dcloud dev's broker: initialised once (dynamic security with a random admin password only
   * this user reads; loopback, no anonymous clients) and started like dockerd, in its own session.
   */
  @Test
  void theBrokerItStartsIsInitialisedOnceAndRunsInItsOwnSession() throws Exception {
    Path plugin = Path.of("/usr/lib/x86_64-linux-gnu/mosquitto_dynamic_security.so");
    Requirements.requireOrSkip(Files.exists(plugin), () -> "Mosquitto's dynamic-security plugin is not installed (apt-get install mosquitto)");
    setUp();
    executable(bin.resolve("mosquitto"), """
        #!/bin/sh
        printf '%%s\\n' "$@" > %1$s/mosquitto-args
        echo $$ > %1$s/mosquitto-pid.tmp && mv %1$s/mosquitto-pid.tmp %1$s/mosquitto-pid
        exec sleep 600
        """.formatted(dir));
    executable(bin.resolve("mosquitto_ctrl"), """
        #!/bin/sh
        echo "$*" >> %1$s/ctrl-runs
        echo '{}' > "$3"
        """.formatted(dir));

    Process script = start(dir.resolve("script.err"), "bash", tree.resolve("dcloud").toString(), "__start-broker");
    Path pidFile = dir.resolve("mosquitto-pid");
    await().atMost(STARTS_WITHIN).until(() -> Files.exists(pidFile));
    long daemon = Long.parseLong(Files.readString(pidFile).trim());
    daemons.add(daemon);
    await().atMost(STARTS_WITHIN).until(() -> !script.isAlive());

    assertThat(script.exitValue()).isZero();
    Path state = tree.resolve(".dcloud/mosquitto").toRealPath();
    assertThat(Files.readAllLines(dir.resolve("mosquitto-args"))).containsExactly("-c", state.resolve("mosquitto.conf").toString());
    assertThat(Files.readAllLines(state.resolve("mosquitto.conf"))).contains(
        "listener 1883 127.0.0.1", "allow_anonymous false", "plugin " + plugin,
        "plugin_opt_config_file " + state.resolve("dynamic-security.json"), "user " + System.getProperty("user.name"),
        "max_inflight_messages 1000", "max_queued_messages 100000");
    String password = Files.readString(state.resolve("admin.password")).trim();
    assertThat(password).hasSizeGreaterThanOrEqualTo(24);
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(state.resolve("admin.password")))).isEqualTo("rw-------");
    assertThat(Files.readAllLines(dir.resolve("ctrl-runs")))
        .containsExactly("dynsec init " + state.resolve("dynamic-security.json") + " dcloud-admin " + password);
    assertThat(stat(daemon).session()).as("its session").isEqualTo(daemon);
    assertThat(Files.readSymbolicLink(Path.of("/proc", "" + daemon, "fd", "0"))).isEqualTo(Path.of("/dev/null"));

    Process again = start(dir.resolve("again.err"), "bash", tree.resolve("dcloud").toString(), "__start-broker");
    await().atMost(STARTS_WITHIN).until(() -> !again.isAlive());
    await().atMost(STARTS_WITHIN).until(() -> Long.parseLong(Files.readString(pidFile).trim()) != daemon);
    daemons.add(Long.parseLong(Files.readString(pidFile).trim()));
    assertThat(again.exitValue()).isZero();
    assertThat(Files.readAllLines(dir.resolve("ctrl-runs"))).as("initialised once").hasSize(1);
    assertThat(Files.readString(state.resolve("admin.password")).trim()).isEqualTo(password);
  }

  /** The README's cluster: several terminals run ./dcloud node on a fresh clone at once. */
  @Test
  void aSecondBuildWaitsForTheFirstAndReusesIt() throws Exception {
    setUp();
    Process first = start(dir.resolve("first.err"), "bash", tree.resolve("dcloud").toString(), "build");
    await().atMost(STARTS_WITHIN).until(() -> Files.exists(dir.resolve("mvn-started")));

    Process second = start(dir.resolve("second.err"), "bash", tree.resolve("dcloud").toString(), "build");
    await().atMost(STARTS_WITHIN).until(() -> Files.readString(dir.resolve("second.err"))
        .contains("dcloud: waiting for another build to finish"));
    touch(dir.resolve("mvn-release"));

    await().atMost(STARTS_WITHIN).until(() -> !first.isAlive() && !second.isAlive());
    assertThat(first.exitValue()).isZero();
    assertThat(second.exitValue()).isZero();
    assertThat(Files.readAllLines(dir.resolve("mvn-runs"))).hasSize(1);
    assertThat(Files.readString(dir.resolve("second.err"))).doesNotContain("building");
  }

  /** Words the script does not know go to the command line's jar, built first when missing, run where the caller is. */
  @Test
  void anUnknownWordRunsTheCommandLineInTheCallersFolderBuildingItWhenMissing() throws Exception {
    setUp();
    touch(dir.resolve("mvn-release"));
    executable(bin.resolve("java"), """
        #!/bin/sh
        echo "$PWD $*" >> %s/java-runs
        """.formatted(dir));

    Process missing = start(dir.resolve("first.err"), "bash", tree.resolve("dcloud").toString(), "env", "ls", "-o", "json");
    await().atMost(STARTS_WITHIN).until(() -> !missing.isAlive());
    assertThat(missing.exitValue()).isZero();
    assertThat(Files.readAllLines(dir.resolve("mvn-runs"))).singleElement().asString().contains("-pl cli -am package");
    // The build's output goes to stderr: stdout is the command's answer (here JSON for a script).
    assertThat(Files.readString(dir.resolve("first.err"))).contains("maven on its stdout");
    assertThat(Files.readString(dir.resolve("out"))).doesNotContain("maven on its stdout");
    Path jar = tree.resolve("cli/target/dcloud-cli.jar");
    assertThat(Files.readAllLines(dir.resolve("java-runs")))
        .containsExactly(dir.toRealPath() + " -jar " + tree.toRealPath().resolve("cli/target/dcloud-cli.jar") + " env ls -o json");

    Files.createDirectories(jar.getParent());
    Files.createFile(jar);
    Process built = start(dir.resolve("second.err"), "bash", tree.resolve("dcloud").toString(), "cli", "--help");
    await().atMost(STARTS_WITHIN).until(() -> !built.isAlive());
    assertThat(Files.readAllLines(dir.resolve("mvn-runs"))).as("the jar is there: no build").hasSize(1);
    assertThat(Files.readAllLines(dir.resolve("java-runs"))).last().asString().endsWith("dcloud-cli.jar --help");

    // A newer test source changes nothing in the jar; a newer main source builds it once (Maven may
    // leave the jar as it was, so the script marks it built), not at every call.
    Files.setLastModifiedTime(jar, FileTime.from(Instant.now().minusSeconds(120)));
    write(tree.resolve("cli/src/test/java/SomeTest.java"));
    runToTheEnd(dir.resolve("third.err"), "cli", "--help");
    assertThat(Files.readAllLines(dir.resolve("mvn-runs"))).as("a test source: no build").hasSize(1);
    write(tree.resolve("cli/src/main/java/Some.java"));
    runToTheEnd(dir.resolve("fourth.err"), "cli", "--help");
    runToTheEnd(dir.resolve("fifth.err"), "cli", "--help");
    assertThat(Files.readAllLines(dir.resolve("mvn-runs"))).as("a main source: one build").hasSize(2);
  }

  private void runToTheEnd(Path err, String... words) throws IOException {
    List<String> command = new ArrayList<>(List.of("bash", tree.resolve("dcloud").toString()));
    command.addAll(List.of(words));
    Process process = start(err, command.toArray(String[]::new));
    await().atMost(STARTS_WITHIN).until(() -> !process.isAlive());
    assertThat(process.exitValue()).isZero();
  }

  private static void write(Path file) throws IOException {
    Files.createDirectories(file.getParent());
    Files.writeString(file, "");
  }

  /**
   * {@code ./dcloud completion bash}: the command line's script (a stand-in java prints one here)
   * and, where {@code ./dcloud} is typed as a path, this script's own verbs beside its nouns.
   */
  @Test
  void itsCompletionOffersItsOwnVerbsBesideTheCommandLinesWords() throws Exception {
    setUp();
    Path jar = Files.createDirectories(tree.resolve("cli/target")).resolve("dcloud-cli.jar");
    touch(jar);
    executable(bin.resolve("java"), """
        #!/bin/sh
        echo 'function _dcloud_complete_names() { COMPREPLY=( $(compgen -W "env devices" -- "${COMP_WORDS[COMP_CWORD]}") ); }'
        """);
    Process completion = start(dir.resolve("completion.err"), "bash", tree.resolve("dcloud").toString(), "completion", "bash");
    assertThat(completion.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(completion.exitValue()).as(Files.readString(dir.resolve("completion.err"))).isZero();
    Path script = Files.move(dir.resolve("out"), dir.resolve("completion.bash"));

    assertThat(complete(script, "./dcloud", "de")).as("its verb beside the CLI's noun").isEqualTo("devices dev");
    assertThat(complete(script, "./dcloud", "bench", "pl")).isEqualTo("placement");
    assertThat(complete(script, "./dcloud", "test", "--")).isEqualTo("--fast");
    assertThat(complete(script, "dcloud", "de")).as("an installed CLI has no such verbs").isEqualTo("devices");
  }

  /** What bash offers for the last word, as the script's completion function leaves it. */
  private static String complete(Path script, String... words) throws Exception {
    String asked = "source '" + script + "'\nCOMP_WORDS=(" + String.join(" ", words) + ")\nCOMP_CWORD=" + (words.length - 1)
        + "\n_dcloud_complete_script dcloud\necho \"${COMPREPLY[*]}\"\n";
    Process bash = new ProcessBuilder("bash", "-c", asked).redirectError(ProcessBuilder.Redirect.DISCARD).start();
    String answer = new String(bash.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
    assertThat(bash.waitFor(30, TimeUnit.SECONDS)).isTrue();
    return answer;
  }

  private void setUp() throws IOException {
    tree = Files.createDirectory(dir.resolve("tree"));
    Files.copy(SCRIPT, tree.resolve("dcloud"));
    bin = Files.createDirectory(dir.resolve("bin"));
    // Notes how it was started, then lives on like a daemon.
    executable(bin.resolve("dockerd"), """
        #!/bin/sh
        printf '%%s\\n' "$@" > %1$s/dockerd-args
        echo $$ > %1$s/dockerd-pid.tmp && mv %1$s/dockerd-pid.tmp %1$s/dockerd-pid
        exec sleep 600
        """.formatted(dir));
    // Counts the builds; holds the first until the test releases it (bounded: 60 s).
    executable(bin.resolve("mvn"), """
        #!/bin/sh
        echo "$*" >> %1$s/mvn-runs
        echo "maven on its stdout"
        touch %1$s/mvn-started
        for _ in $(seq 600); do [ -e %1$s/mvn-release ] && break; sleep 0.1; done
        mkdir -p app/target/lib bench/target/lib cassandra-dist/target/cassandra-lib
        """.formatted(dir));
  }

  private long awaitFakeDockerd() throws IOException {
    Path pidFile = dir.resolve("dockerd-pid");
    await().atMost(STARTS_WITHIN).until(() -> Files.exists(pidFile));
    long pid = Long.parseLong(Files.readString(pidFile).trim());
    daemons.add(pid);
    return pid;
  }

  private Process start(Path stderr, String... command) throws IOException {
    ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile())
        .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
        .redirectOutput(dir.resolve("out").toFile())
        .redirectError(stderr.toFile());
    Map<String, String> env = builder.environment();
    env.put("PATH", bin + ":" + env.get("PATH"));
    Process process = builder.start();
    processes.add(process);
    return process;
  }

  private static int run(String... command) throws Exception {
    return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD)
        .start().waitFor();
  }

  private static boolean alive(long pid) throws IOException {
    Path stat = Path.of("/proc", "" + pid, "stat");
    return Files.exists(stat) && stat(pid).state() != 'Z';
  }

  private record Stat(char state, long pgrp, long session) {}

  /** /proc/PID/stat: "pid (comm) state ppid pgrp session ..."; comm may hold spaces. */
  private static Stat stat(long pid) throws IOException {
    String line = Files.readString(Path.of("/proc", "" + pid, "stat"));
    String[] fields = line.substring(line.lastIndexOf(')') + 2).split(" ");
    return new Stat(fields[0].charAt(0), Long.parseLong(fields[2]), Long.parseLong(fields[3]));
  }

  private static void executable(Path file, String content) throws IOException {
    Files.writeString(file, content);
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
  }

  private static void touch(Path file) throws IOException {
    if (!Files.exists(file)) {
      Files.createFile(file);
    }
  }
}
