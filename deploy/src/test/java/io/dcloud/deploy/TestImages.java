package io.dcloud.deploy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.exception.NotFoundException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Test images made on this machine, since no registry is reachable. {@link #BUSYBOX} holds only
 * the host's static busybox and a link per applet (sh, sleep, cat, head, tr, httpd, ...): about
 * 2 MB, loaded in well under a second, starting in ~0.3 s. Its default command is
 * {@code sleep infinity} (busybox's sleep accepts "infinity"), so a spec without a command idles.
 *
 * <p>The image is made with {@code docker load} of an image archive built in Java (layer tar,
 * config JSON, manifest) rather than {@code docker import}: that way it has a default CMD and a
 * PATH, and its id is the same on every machine and every run (no timestamps inside).
 */
public final class TestImages {

  private static final Logger log = LoggerFactory.getLogger(TestImages.class);

  public static final String BUSYBOX = "dcloud-test/busybox:1";
  /** Where Debian's busybox-static puts the binary. */
  public static final Path HOST_BUSYBOX = Path.of("/bin/busybox");

  private static final String PATH_ENV = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
  private static final List<String> DEFAULT_CMD = List.of("sleep", "infinity");
  /** Used when the host busybox cannot list its applets. */
  private static final List<String> CORE_APPLETS = List.of(
      "sh", "ash", "sleep", "cat", "echo", "ls", "env", "id", "head", "tail", "tr", "true", "false", "printf", "ps",
      "kill", "wc", "grep", "sed", "awk", "mkdir", "rm", "touch", "date", "httpd", "nc", "hostname", "dd", "seq",
      "uname", "whoami", "test", "timeout", "stat", "df", "du", "cut", "sort", "chmod", "cp", "mv", "ln", "pwd", "tee",
      "yes", "nproc", "free", "top", "wget", "find", "xargs");
  private static final ObjectMapper JSON = new ObjectMapper();
  /** Fixed, so the image id never changes. */
  private static final String CREATED = "2025-01-01T00:00:00Z";

  private TestImages() {}

  /** Makes {@link #BUSYBOX} exist in the engine of {@code runtime}; returns its name. */
  public static String ensureBusybox(ContainerRuntime runtime) {
    if (runtime instanceof DockerRuntime docker) {
      return ensureBusybox(docker.dockerClient());
    }
    throw new IllegalArgumentException("busybox test image needs a DockerRuntime, got " + runtime.getClass());
  }

  /** Makes {@link #BUSYBOX} exist in the engine of {@code docker}; returns its name. */
  public static synchronized String ensureBusybox(DockerClient docker) {
    if (imageExists(docker, BUSYBOX)) {
      return BUSYBOX;
    }
    if (!Files.isExecutable(HOST_BUSYBOX)) {
      throw new IllegalStateException(HOST_BUSYBOX + " is missing: install Debian's busybox-static (apt-get install busybox-static)");
    }
    docker.loadImageCmd(new ByteArrayInputStream(busyboxArchive())).exec();
    if (!imageExists(docker, BUSYBOX)) {
      throw new IllegalStateException("docker load did not produce " + BUSYBOX);
    }
    log.info("loaded test image {}", BUSYBOX);
    return BUSYBOX;
  }

  public static boolean imageExists(DockerClient docker, String image) {
    try {
      docker.inspectImageCmd(image).exec();
      return true;
    } catch (NotFoundException e) {
      return false;
    }
  }

  /** A {@code docker load} archive: manifest.json, the image config, one layer. */
  static byte[] busyboxArchive() {
    byte[] layer = busyboxLayer();
    String diffId = "sha256:" + sha256(layer);
    byte[] config = json(imageConfig(diffId));
    String configName = sha256(config) + ".json";
    String layerPath = sha256(layer) + "/layer.tar";
    byte[] manifest = json(List.of(Map.of("Config", configName, "RepoTags", List.of(BUSYBOX), "Layers", List.of(layerPath))));
    return TarArchive.create()
        .file(configName, config, 0644)
        .directory(sha256(layer), 0755)
        .file(layerPath, layer, 0644)
        .file("manifest.json", manifest, 0644)
        .toBytes();
  }

  private static Map<String, Object> imageConfig(String diffId) {
    Map<String, Object> config = new LinkedHashMap<>();
    config.put("architecture", "amd64");
    config.put("os", "linux");
    config.put("created", CREATED);
    // No labels: containers inherit image labels, and tests compare container labels exactly.
    config.put("config", Map.of("Env", List.of(PATH_ENV), "Cmd", DEFAULT_CMD));
    config.put("rootfs", Map.of("type", "layers", "diff_ids", List.of(diffId)));
    return config;
  }

  private static byte[] busyboxLayer() {
    byte[] busybox;
    try {
      busybox = Files.readAllBytes(HOST_BUSYBOX);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    TarArchive layer = TarArchive.create()
        .directory("bin", 0755)
        .file("bin/busybox", busybox, 0755)
        .directory("etc", 0755)
        .file("etc/passwd", "root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n")
        .file("etc/group", "root:x:0:\nnogroup:x:65534:\n")
        .directory("root", 0700)
        .directory("tmp", 01777)
        .directory("proc", 0555)
        .directory("sys", 0555)
        .directory("dev", 0755)
        .directory("usr", 0755)
        .symlink("usr/bin", "../bin")
        .symlink("sbin", "bin")
        .directory("var", 0755)
        .directory("var/www", 0755);
    applets().forEach(applet -> layer.symlink("bin/" + applet, "busybox"));
    return layer.toBytes();
  }

  /** Every applet the host's busybox has (about 400), so tests may use any of them. */
  private static List<String> applets() {
    try {
      Process list = new ProcessBuilder(HOST_BUSYBOX.toString(), "--list").redirectErrorStream(true).start();
      String out = new String(list.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (list.waitFor() == 0) {
        return Stream.of(out.split("\n")).map(String::strip)
            .filter(a -> !a.isEmpty() && !a.contains("/") && !a.equals("busybox"))
            .distinct()
            .toList();
      }
    } catch (IOException e) {
      log.warn("cannot list busybox applets, using the core set: {}", e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return CORE_APPLETS;
  }

  private static byte[] json(Object value) {
    try {
      return JSON.writeValueAsBytes(value);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
