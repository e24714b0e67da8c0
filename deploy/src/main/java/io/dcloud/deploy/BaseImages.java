package io.dcloud.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.dockerjava.api.exception.DockerException;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.model.PullResponseItem;
import com.github.dockerjava.transport.DockerHttpClient;
import io.dcloud.deploy.DockerSettings.BaseImageSettings;
import io.dcloud.deploy.DockerSettings.BootstrapRecipe;
import java.io.IOException;
import java.io.InputStream;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes the base image of a build available on an air-gapped machine: present locally → done;
 * pullable within a short deadline → pulled; otherwise, if DCloud has a recipe for it, built from
 * distribution packages with debootstrap and imported with {@code docker import}. One preparation
 * per image at a time in this JVM.
 */
final class BaseImages {

  private static final Logger log = LoggerFactory.getLogger(BaseImages.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String ROOTFS_DIR = "rootfs";
  private static final String TAR_LOG = "tar.log";
  private static final String DEBOOTSTRAP_LOG = "debootstrap/debootstrap.log";
  private static final int HTTP_OK_MIN = 200;
  private static final int HTTP_OK_MAX = 299;

  private final EngineConnection engine;
  private final DaemonCalls calls;
  private final DockerSettings settings;
  private final BaseImageSettings base;
  private final KeyedLocks locks = new KeyedLocks();

  BaseImages(EngineConnection engine, DaemonCalls calls, DockerSettings settings) {
    this.engine = engine;
    this.calls = calls;
    this.settings = settings;
    this.base = settings.baseImages();
  }

  void ensure(String image, Consumer<String> progress) {
    if (exists(image)) {
      return;
    }
    locks.with(image, KeyedLocks.say(progress, "waiting for another preparation of base image " + image), () -> {
      if (!exists(image)) {
        prepare(image, progress);
      }
    });
  }

  boolean exists(String image) {
    return calls.call("looking for image " + image, settings.callTimeout(), () -> {
      try {
        engine.client().inspectImageCmd(image).exec();
        return true;
      } catch (NotFoundException e) {
        return false;
      }
    });
  }

  private void prepare(String image, Consumer<String> progress) {
    progress.accept("base image " + image + " is not on this machine: trying to pull it");
    String pullFailure = pull(image, progress);
    if (pullFailure == null && exists(image)) {
      progress.accept("pulled base image " + image);
      log.info("pulled base image {}", image);
      return;
    }
    BootstrapRecipe recipe = base.recipes().get(image);
    if (recipe == null) {
      log.warn("base image {} is missing, cannot be pulled ({}) and has no recipe", image, pullFailure);
      throw new RuntimeFailure(
          "base image " + image + " is not available locally, cannot be pulled (" + pullFailure
              + ") and DCloud has no local recipe for it; load it with `docker load` or add a recipe under "
              + "dcloud.deploy.base-images.recipes");
    }
    log.info("base image {} cannot be pulled ({}): bootstrapping it from {}", image, pullFailure, recipe.mirror());
    progress.accept("base image " + image + " is not in any reachable registry: building it locally from "
        + recipe.source() + " (debootstrap, about 2-5 minutes)");
    bootstrap(image, recipe, progress);
  }

  /** Null when the pull succeeded, otherwise why it did not. */
  private String pull(String image, Consumer<String> progress) {
    ImageReference ref = ImageReference.parse(image);
    AtomicReference<String> streamedError = new AtomicReference<>();
    StreamCallback<PullResponseItem> pull =
        new StreamCallback<>("pulling " + image, item -> pullProgress(item, progress, streamedError));
    try {
      engine.client().pullImageCmd(ref.repository()).withTag(ref.tag()).exec(pull);
      if (!pull.awaitEnd(base.pullTimeout())) {
        pull.close();
        return "no answer from a registry within " + DaemonCalls.human(base.pullTimeout());
      }
    } catch (InterruptedException e) {
      pull.close();
      Thread.currentThread().interrupt();
      throw new RuntimeFailure("pulling base image " + image + " was interrupted", e);
    } catch (RuntimeException e) {
      return DaemonCalls.rootMessage(e);
    }
    Throwable error = pull.error();
    if (streamedError.get() != null) {
      return streamedError.get();
    }
    if (error instanceof DockerException docker) {
      return DaemonCalls.engineMessage(docker);
    }
    return error == null ? null : DaemonCalls.rootMessage(error);
  }

  /** Pull output is mostly progress bars: pass on only the status lines. */
  private static void pullProgress(
      PullResponseItem item, Consumer<String> progress, AtomicReference<String> streamedError) {
    if (item.getStatus() != null && item.getProgressDetail() == null && item.getProgress() == null) {
      progress.accept(item.getId() == null ? item.getStatus() : item.getId() + ": " + item.getStatus());
    }
    if (item.isErrorIndicated()) {
      streamedError.set(item.getErrorDetail() != null ? item.getErrorDetail().getMessage() : item.getError());
    }
  }

  private void bootstrap(String image, BootstrapRecipe recipe, Consumer<String> progress) {
    Path debootstrap = HostTools.findProgram(base.debootstrapCommand())
        .orElseThrow(() -> new RuntimeFailure(
            "cannot build base image " + image + " locally: debootstrap is not installed on this machine; install it "
                + "(`sudo apt-get install debootstrap` on Debian/Ubuntu, `sudo dnf install debootstrap` on Fedora) "
                + "or load the image with `docker load`"));
    if (HostTools.currentUid() != 0) {
      throw new RuntimeFailure(
          "cannot build base image " + image + " locally: debootstrap must run as root and this DCloud process is "
              + "not root; run the worker as root once, or load the image with `docker load`");
    }
    Instant deadline = Instant.now().plus(base.bootstrapTimeout());
    Instant started = Instant.now();
    Path job = createJobDir(image);
    try {
      Path rootfs = job.resolve(ROOTFS_DIR);
      debootstrap(image, recipe, debootstrap, rootfs, deadline, progress);
      progress.accept("importing the root file system as image " + image);
      importRootfs(image, recipe, rootfs, job, deadline);
      long seconds = Duration.between(started, Instant.now()).toSeconds();
      progress.accept("base image " + image + " built locally in " + seconds + " s");
      log.info("bootstrapped base image {} from {} {} in {} s", image, recipe.mirror(), recipe.suite(), seconds);
    } finally {
      HostTools.unmountUnder(job);
      HostTools.deleteTree(job);
    }
  }

  private Path createJobDir(String image) {
    try {
      Files.createDirectories(base.workDir());
      return Files.createTempDirectory(base.workDir(), image.replaceAll("[^A-Za-z0-9._-]", "_") + "-");
    } catch (IOException e) {
      throw new RuntimeFailure(
          "cannot build base image " + image + ": cannot create a work directory under " + base.workDir() + " ("
              + e.getMessage() + "); set dcloud.deploy.base-images.work-dir to a writable directory", e);
    }
  }

  private void debootstrap(
      String image, BootstrapRecipe recipe, Path program, Path rootfs, Instant deadline, Consumer<String> progress) {
    List<String> command = List.of(
        program.toString(), "--variant=" + recipe.variant(), recipe.suite(), rootfs.toString(), recipe.mirror());
    log.info("bootstrapping base image {}: {}", image, String.join(" ", command));
    HostTools.Outcome outcome;
    try {
      outcome = HostTools.run(command, remainingMillis(deadline), settings.build().errorLines(), progress);
    } catch (IOException e) {
      throw new RuntimeFailure("cannot run " + program + " to build base image " + image + ": " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new RuntimeFailure("building base image " + image + " was interrupted", e);
    }
    if (outcome == null) {
      throw new RuntimeFailure("building base image " + image + " took longer than "
          + DaemonCalls.human(base.bootstrapTimeout()) + " (dcloud.deploy.base-images.bootstrap-timeout); is "
          + recipe.mirror() + " slow or unreachable?");
    }
    if (outcome.exitCode() != 0) {
      LastLines details = new LastLines(settings.build().errorLines());
      outcome.lastLines().forEach(details::add);
      tail(rootfs.resolve(DEBOOTSTRAP_LOG)).forEach(details::add);
      log.warn("debootstrap of base image {} from {} failed with exit code {}", image, recipe.mirror(), outcome.exitCode());
      throw new RuntimeFailure("building base image " + image + " with debootstrap failed (exit code "
          + outcome.exitCode() + "); check that " + recipe.mirror() + " is reachable from this machine. Last lines:"
          + details.asBlock());
    }
  }

  /**
   * Streams {@code tar} of the root file system into {@code POST /images/create?fromSrc=-}: the
   * raw API, because docker-java's import cannot pass {@code changes} (CMD, ENV) or a message.
   */
  private void importRootfs(String image, BootstrapRecipe recipe, Path rootfs, Path job, Instant deadline) {
    Path tarLog = job.resolve(TAR_LOG);
    Process tar;
    try {
      tar = new ProcessBuilder(base.tarCommand(), "--numeric-owner", "-C", rootfs.toString(), "-cf", "-", ".")
          .redirectError(tarLog.toFile())
          .start();
    } catch (IOException e) {
      throw new RuntimeFailure("cannot run " + base.tarCommand() + " to pack base image " + image + ": "
          + e.getMessage(), e);
    }
    try {
      Duration remaining = Duration.ofMillis(remainingMillis(deadline));
      calls.run("importing base image " + image, remaining, () -> postImport(image, recipe, tar.getInputStream()));
      if (tar.waitFor() != 0) {
        throw new RuntimeFailure("packing the root file system of base image " + image + " failed: "
            + String.join("; ", tail(tarLog)));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new RuntimeFailure("importing base image " + image + " was interrupted", e);
    } finally {
      HostTools.kill(tar);
    }
  }

  private void postImport(String image, BootstrapRecipe recipe, InputStream tarStream) {
    EngineConnection.Pinned pinned = engine.pinned();
    DockerHttpClient.Request request = DockerHttpClient.Request.builder()
        .method(DockerHttpClient.Request.Method.POST)
        .path("/v" + pinned.apiVersion() + "/images/create?" + importQuery(image, recipe))
        .putHeader("Content-Type", "application/x-tar")
        .body(tarStream)
        .build();
    try (DockerHttpClient.Response response = pinned.http().execute(request)) {
      String error = importError(response.getBody());
      int status = response.getStatusCode();
      if (status < HTTP_OK_MIN || status > HTTP_OK_MAX || error != null) {
        throw new RuntimeFailure("the Docker Engine refused to import base image " + image + ": "
            + (error != null ? error : "HTTP status " + status));
      }
    } catch (IOException e) {
      throw new RuntimeFailure("importing base image " + image + " failed: " + e.getMessage(), e);
    }
  }

  private static String importQuery(String image, BootstrapRecipe recipe) {
    ImageReference ref = ImageReference.parse(image);
    List<String> params = new ArrayList<>();
    params.add("fromSrc=-");
    params.add("repo=" + encode(ref.repository()));
    params.add("tag=" + encode(ref.tag()));
    params.add("message=" + encode("DCloud: debootstrap --variant=" + recipe.variant() + " " + recipe.suite() + " "
        + recipe.mirror()));
    recipe.changes().forEach(change -> params.add("changes=" + encode(change)));
    return String.join("&", params);
  }

  /** The import answers 200 and then a JSON stream; errors come inside it. */
  private static String importError(InputStream body) throws IOException {
    try (MappingIterator<JsonNode> messages = JSON.readerFor(JsonNode.class).readValues(body)) {
      String error = null;
      while (messages.hasNextValue()) {
        JsonNode message = messages.nextValue();
        if (message.hasNonNull("error")) {
          error = message.get("error").asText();
        }
      }
      return error;
    }
  }

  private static String encode(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
  }

  private List<String> tail(Path file) {
    LastLines last = new LastLines(settings.build().errorLines());
    try {
      if (Files.isRegularFile(file)) {
        Files.readAllLines(file, StandardCharsets.UTF_8).forEach(last::add);
      }
    } catch (IOException | RuntimeException e) {
      log.debug("cannot read {}", file, e);
    }
    return last.lines();
  }

  private static long remainingMillis(Instant deadline) {
    return Math.max(1, Duration.between(Instant.now(), deadline).toMillis());
  }
}
