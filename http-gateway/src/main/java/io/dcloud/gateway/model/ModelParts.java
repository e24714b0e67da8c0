package io.dcloud.gateway.model;

import io.dcloud.gateway.common.UploadParts;
import io.dcloud.validation.FieldError;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.regex.Pattern;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.http.javadsl.model.MediaType;
import org.apache.pekko.http.javadsl.model.Multipart;
import org.apache.pekko.util.ByteString;

/**
 * The parts of a model upload, read in the order they arrive: the artifact ({@code model}) streamed
 * into a spool file (it may be far larger than the heap), the {@code contract} and {@code config}
 * read whole within {@code dcloud.models.max-document-size}. A missing, repeated or unknown part,
 * an artifact the wrapper cannot load and a contract without preprocess or postprocess are field
 * errors ({@link #errors}). The spool file is the caller's to {@link #discard}, whatever happens.
 */
final class ModelParts {
  static final String MODEL = "model";
  static final String CONTRACT = "contract";
  static final String CONFIG = "config";
  private static final Pattern PREPROCESS = Pattern.compile("(?m)^def\\s+preprocess\\s*\\(");
  private static final Pattern POSTPROCESS = Pattern.compile("(?m)^def\\s+postprocess\\s*\\(");

  private final ModelLimits limits;
  private final ActorSystem<?> system;
  private final List<FieldError> errors = new ArrayList<>();
  private Path artifact;
  private String extension;
  private long artifactSize;
  private ByteString contract;
  private ByteString config;
  private MediaType configType;

  private ModelParts(ModelLimits limits, ActorSystem<?> system) {
    this.limits = limits;
    this.system = system;
  }

  /** Every part read; a failed read has already discarded the spool file. */
  static CompletionStage<ModelParts> read(Multipart.FormData form, ModelLimits limits, ActorSystem<?> system) {
    ModelParts parts = new ModelParts(limits, system);
    return form.getParts()
        .runFoldAsync(parts, ModelParts::add, system)
        .whenComplete((read, failure) -> {
          if (failure != null) {
            parts.discard();
          }
        });
  }

  private CompletionStage<ModelParts> add(Multipart.FormData.BodyPart part) {
    String name = part.getName();
    boolean repeated = (MODEL.equals(name) && artifact != null) || (CONTRACT.equals(name) && contract != null)
        || (CONFIG.equals(name) && config != null);
    if (repeated) {
      errors.add(new FieldError(name, "is sent more than once: send each part once"));
      return drain(part);
    }
    return switch (name) {
      case MODEL -> artifact(part);
      case CONTRACT -> document(part).thenApply(bytes -> {
        contract = bytes;
        return this;
      });
      case CONFIG -> document(part).thenApply(bytes -> {
        config = bytes;
        configType = part.getEntity().getContentType().mediaType();
        return this;
      });
      default -> {
        errors.add(new FieldError(name, "is not a part of a model upload: send model, contract and config"));
        yield drain(part);
      }
    };
  }

  private CompletionStage<ModelParts> artifact(Multipart.FormData.BodyPart part) {
    String fileName = part.getFilename().orElse(null);
    String kind = ModelBundle.extension(fileName);
    if (kind == null) {
      errors.add(new FieldError(MODEL, "must be a file named *.joblib or *.pkl (a joblib/pickle of a scikit-learn "
          + "estimator) or *.pt (a TorchScript module), not " + (fileName == null ? "a part without a file name"
          : "'" + fileName + "'")));
      return drain(part);
    }
    artifact = UploadParts.spoolFile(limits.spoolDirectory(), "dcloud-model-");
    extension = kind;
    return UploadParts.spool(part, artifact, limits.maxSize(), "dcloud.models.max-size", system).thenApply(written -> {
      artifactSize = written;
      return this;
    });
  }

  private CompletionStage<ByteString> document(Multipart.FormData.BodyPart part) {
    return UploadParts.document(part, limits.maxDocumentSize(), "dcloud.models.max-document-size", system);
  }

  private CompletionStage<ModelParts> drain(Multipart.FormData.BodyPart part) {
    return UploadParts.drain(part, system).thenApply(done -> this);
  }

  /** What is wrong with the parts, the config's own fields aside ({@link ModelConfigParser}). */
  List<FieldError> errors() {
    List<FieldError> all = new ArrayList<>(errors);
    if (artifact == null && all.stream().noneMatch(error -> error.field().equals(MODEL))) {
      all.add(new FieldError(MODEL, "is required: the model artifact (*.joblib, *.pkl or *.pt)"));
    }
    if (contract == null) {
      all.add(new FieldError(CONTRACT, "is required: a Python file defining preprocess(request) and "
          + "postprocess(prediction)"));
    } else {
      String text = contract.utf8String();
      if (!PREPROCESS.matcher(text).find()) {
        all.add(new FieldError(CONTRACT, "must define preprocess(request): one model input row from a request"));
      }
      if (!POSTPROCESS.matcher(text).find()) {
        all.add(new FieldError(CONTRACT, "must define postprocess(prediction): a JSON-able answer"));
      }
    }
    if (config == null) {
      all.add(new FieldError(CONFIG, "is required: JSON or YAML with name, runtime, resources, replicas, batching "
          + "and input-example"));
    }
    return all;
  }

  ByteString config() {
    return config;
  }

  MediaType configType() {
    return configType;
  }

  ByteString contract() {
    return contract;
  }

  Path artifact() {
    return artifact;
  }

  String extension() {
    return extension;
  }

  long artifactSize() {
    return artifactSize;
  }

  /** Removes the spool file, if one was made. */
  void discard() {
    UploadParts.discard(artifact);
  }
}
