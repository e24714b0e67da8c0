package io.dcloud.deploy;

import com.github.dockerjava.api.model.BuildResponseItem;
import io.dcloud.contracts.ImageRecipe;
import io.dcloud.deploy.DockerSettings.BuildSettings;
import java.io.ByteArrayInputStream;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Builds an environment's image from its generated Dockerfile, once per tag: the tag is a hash of
 * the Dockerfile, so an existing tag is a cache hit. The classic builder is used (Debian's docker.io
 * has no BuildKit, so no {@code RUN --mount}); the build context is a tar holding only the
 * Dockerfile, since generated Dockerfiles copy nothing from the host.
 */
final class ImageBuilds {
  private static final Pattern ANSI_ESCAPE = Pattern.compile("\u001B\\[[0-9;]*[A-Za-z]");


  private static final Logger log = LoggerFactory.getLogger(ImageBuilds.class);
  private static final String DOCKERFILE = "Dockerfile";

  private final EngineConnection engine;
  private final BaseImages baseImages;
  private final BuildSettings build;
  private final KeyedLocks locks = new KeyedLocks();

  ImageBuilds(EngineConnection engine, BaseImages baseImages, BuildSettings build) {
    this.engine = engine;
    this.baseImages = baseImages;
    this.build = build;
  }

  void ensure(ImageRecipe recipe, Consumer<String> progress) {
    if (reportCached(recipe.tag(), progress)) {
      return;
    }
    locks.with(recipe.tag(), KeyedLocks.say(progress, "waiting for another build of image " + recipe.tag()), () -> {
      if (!reportCached(recipe.tag(), progress)) {
        baseImages.ensure(recipe.baseImage(), progress);
        build(recipe, progress);
      }
    });
  }

  private boolean reportCached(String tag, Consumer<String> progress) {
    boolean cached = baseImages.exists(tag);
    if (cached) {
      progress.accept("image " + tag + " is cached");
    }
    return cached;
  }

  /** The classic builder colours stderr lines with ANSI escapes: progress readers want plain text. */
  static String plain(String line) {
    return ANSI_ESCAPE.matcher(line).replaceAll("").strip();
  }

  private void build(ImageRecipe recipe, Consumer<String> progress) {
    String tag = recipe.tag();
    byte[] context = TarArchive.create().file(DOCKERFILE, recipe.dockerfile()).toBytes();
    LastLines last = new LastLines(build.errorLines());
    AtomicReference<String> error = new AtomicReference<>();
    StreamCallback<BuildResponseItem> output = new StreamCallback<>("building image " + tag, item -> {
      if (item.getStream() != null) {
        item.getStream().lines().map(ImageBuilds::plain).filter(line -> !line.isEmpty()).forEach(line -> {
          last.add(line);
          progress.accept(line);
        });
      }
      if (item.isErrorIndicated()) {
        error.set(item.getErrorDetail() != null ? item.getErrorDetail().getMessage() : item.getError());
      }
    });
    Instant started = Instant.now();
    log.info("building image {} from {}", tag, recipe.baseImage());
    engine.client().buildImageCmd()
        .withTarInputStream(new ByteArrayInputStream(context))
        .withTags(Set.of(tag))
        .withNetworkMode(build.networkMode())
        .withLabels(build.labels())
        .withPull(false)
        .withRemove(true)
        .withForcerm(true)
        .exec(output);
    awaitBuild(tag, output, last);
    String failure = error.get() != null ? error.get()
        : output.error() != null ? DaemonCalls.rootMessage(output.error()) : null;
    if (failure != null) {
      log.warn("building image {} failed: {}", tag, failure);
      throw new RuntimeFailure("building image " + tag + " failed: " + failure + last.asBlock());
    }
    if (!baseImages.exists(tag)) {
      throw new RuntimeFailure("building image " + tag + " ended without an image: " + last.asBlock());
    }
    long seconds = Duration.between(started, Instant.now()).toSeconds();
    progress.accept("image " + tag + " built in " + seconds + " s");
    log.info("built image {} in {} s", tag, seconds);
  }

  private void awaitBuild(String tag, StreamCallback<BuildResponseItem> output, LastLines last) {
    try {
      if (!output.awaitEnd(build.timeout())) {
        // Closing the stream makes the engine cancel the build.
        output.close();
        throw new RuntimeFailure("building image " + tag + " took longer than " + DaemonCalls.human(build.timeout())
            + " (dcloud.deploy.build.timeout) and was cancelled. Last lines:" + last.asBlock());
      }
    } catch (InterruptedException e) {
      output.close();
      Thread.currentThread().interrupt();
      throw new RuntimeFailure("building image " + tag + " was interrupted", e);
    }
  }
}
