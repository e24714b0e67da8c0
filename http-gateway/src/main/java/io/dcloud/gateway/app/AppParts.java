package io.dcloud.gateway.app;

import io.dcloud.gateway.common.UploadParts;
import io.dcloud.validation.FieldError;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.http.javadsl.model.MediaType;
import org.apache.pekko.http.javadsl.model.Multipart;
import org.apache.pekko.util.ByteString;

/**
 * The parts of an app push, read in the order they arrive: the {@code source} archive streamed
 * into a spool file, the {@code config} read whole within {@code dcloud.apps.max-document-size}. A
 * missing, repeated or unknown part is a field error ({@link #errors}). The spool file is the
 * caller's to {@link #discard}, whatever happens.
 */
final class AppParts {
  static final String SOURCE = AppArchive.SOURCE;
  static final String CONFIG = UploadParts.CONFIG;

  private final AppLimits limits;
  private final ActorSystem<?> system;
  private final List<FieldError> errors = new ArrayList<>();
  private Path source;
  private long sourceSize;
  private ByteString config;
  private MediaType configType;

  private AppParts(AppLimits limits, ActorSystem<?> system) {
    this.limits = limits;
    this.system = system;
  }

  /** Every part read; a failed read has already discarded the spool file. */
  static CompletionStage<AppParts> read(Multipart.FormData form, AppLimits limits, ActorSystem<?> system) {
    AppParts parts = new AppParts(limits, system);
    return form.getParts()
        .runFoldAsync(parts, AppParts::add, system)
        .whenComplete((read, failure) -> {
          if (failure != null) {
            parts.discard();
          }
        });
  }

  private CompletionStage<AppParts> add(Multipart.FormData.BodyPart part) {
    String name = part.getName();
    if ((SOURCE.equals(name) && source != null) || (CONFIG.equals(name) && config != null)) {
      errors.add(new FieldError(name, "is sent more than once: send each part once"));
      return UploadParts.drain(part, system).thenApply(done -> this);
    }
    return switch (name) {
      case SOURCE -> {
        source = UploadParts.spoolFile(limits.spoolDirectory(), "dcloud-apps-source-");
        yield UploadParts.spool(part, source, limits.maxSize(), "dcloud.apps.max-size", system).thenApply(written -> {
          sourceSize = written;
          return this;
        });
      }
      case CONFIG -> UploadParts.document(part, limits.maxDocumentSize(), "dcloud.apps.max-document-size", system)
          .thenApply(bytes -> {
            config = bytes;
            configType = part.getEntity().getContentType().mediaType();
            return this;
          });
      default -> {
        errors.add(new FieldError(name, "is not a part of an app push: send source and config"));
        yield UploadParts.drain(part, system).thenApply(done -> this);
      }
    };
  }

  /** What is wrong with the parts, the archive's content and the config's fields aside. */
  List<FieldError> errors() {
    List<FieldError> all = new ArrayList<>(errors);
    if (source == null) {
      all.add(new FieldError(SOURCE, "is required: a .tar, .tar.gz (.tgz) or .zip of the app's files"));
    }
    if (config == null) {
      all.add(new FieldError(CONFIG, "is required: JSON or YAML with name, runtime, command, port and replicas"));
    }
    return all;
  }

  Path source() {
    return source;
  }

  long sourceSize() {
    return sourceSize;
  }

  ByteString config() {
    return config;
  }

  MediaType configType() {
    return configType;
  }

  /** Removes the spool file, if one was made. */
  void discard() {
    UploadParts.discard(source);
  }
}
