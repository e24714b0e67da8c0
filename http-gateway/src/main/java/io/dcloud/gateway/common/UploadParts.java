package io.dcloud.gateway.common;

import com.fasterxml.jackson.databind.JsonNode;
import io.dcloud.gateway.common.JsonYaml.BodyFormat;
import io.dcloud.validation.ValidationException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.http.javadsl.model.MediaType;
import org.apache.pekko.http.javadsl.model.Multipart;
import org.apache.pekko.stream.StreamLimitReachedException;
import org.apache.pekko.stream.javadsl.FileIO;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.util.ByteString;

/**
 * What every multipart upload (a model, an app) does with its parts: a large one is streamed into a
 * spool file (never held in heap), a small document is read whole within its bound (413 naming the
 * part and the setting beyond it), an unwanted one is drained so the rest of the body can be read.
 */
public final class UploadParts {
  public static final String CONFIG = "config";

  private UploadParts() {}

  /** A new, empty spool file in {@code directory} (empty: the JVM's temporary directory). */
  public static Path spoolFile(String directory, String prefix) {
    try {
      return directory.isEmpty() ? Files.createTempFile(prefix, ".upload")
          : Files.createTempFile(Path.of(directory), prefix, ".upload");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot spool an upload in " + (directory.isEmpty() ? "java.io.tmpdir" : directory), e);
    }
  }

  /**
   * Streams the part into {@code file}, at most {@code maxSize} bytes ({@code setting} names the
   * bound in the 413); completes with the bytes written. Beyond the bound the part is still read
   * to its end, not cancelled: a cancelled part fails the whole multipart stream with no word of
   * which part or bound it was.
   */
  public static CompletionStage<Long> spool(Multipart.FormData.BodyPart part, Path file, long maxSize, String setting,
      ActorSystem<?> system) {
    AtomicLong seen = new AtomicLong();
    return part.getEntity().getDataBytes()
        .filter(bytes -> seen.addAndGet(bytes.size()) <= maxSize)
        .runWith(FileIO.toPath(file), system)
        .thenApply(written -> {
          if (seen.get() > maxSize) {
            throw tooLarge(part.getName(), maxSize, setting);
          }
          return written.getCount();
        });
  }

  /** The part's bytes, at most {@code maxSize} of them ({@code setting} names the bound in the 413). */
  public static CompletionStage<ByteString> document(Multipart.FormData.BodyPart part, long maxSize, String setting,
      ActorSystem<?> system) {
    String name = part.getName();
    return part.getEntity().getDataBytes()
        .limitWeighted(maxSize, bytes -> (long) bytes.size())
        .runFold(ByteString.emptyByteString(), ByteString::concat, system)
        .handle((bytes, failure) -> {
          if (failure == null) {
            return bytes;
          }
          throw causedBy(failure, StreamLimitReachedException.class) ? tooLarge(name, maxSize, setting)
              : failure instanceof CompletionException completion ? completion : new CompletionException(failure);
        });
  }

  /**
   * A config part: JSON when the part says so, else YAML (which reads JSON too), since
   * {@code curl -F config=@f} sends no type. Unreadable, it is a field error of {@code config}.
   */
  public static JsonNode config(JsonYaml codec, ByteString bytes, MediaType type) {
    BodyFormat format = BodyFormat.of(type).orElse(BodyFormat.YAML);
    try {
      return codec.read(format, bytes);
    } catch (ProblemException malformed) {
      throw ValidationException.of(CONFIG, malformed.problem().detail());
    }
  }

  private static ProblemException tooLarge(String part, long maxSize, String setting) {
    return Problem.of(Problem.Type.BODY_TOO_LARGE, part + " is larger than " + maxSize + " bytes (" + setting + ")", part,
        "must be at most " + maxSize + " bytes (" + setting + ")").exception();
  }

  /** Reads the part to its end, keeping nothing. */
  public static CompletionStage<Void> drain(Multipart.FormData.BodyPart part, ActorSystem<?> system) {
    return part.getEntity().getDataBytes().runWith(Sink.ignore(), system).thenApply(done -> null);
  }

  /** Removes a spool file, if one was made. */
  public static void discard(Path file) {
    if (file != null) {
      try {
        Files.deleteIfExists(file);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot remove the spooled upload " + file, e);
      }
    }
  }

  public static boolean causedBy(Throwable failure, Class<? extends Throwable> kind) {
    for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
      if (kind.isInstance(cause)) {
        return true;
      }
    }
    return false;
  }
}
