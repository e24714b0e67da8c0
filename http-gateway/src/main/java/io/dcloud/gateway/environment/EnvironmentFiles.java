package io.dcloud.gateway.environment;

import com.typesafe.config.Config;
import io.dcloud.environment.EnvironmentEntity;
import io.dcloud.environment.EnvironmentStatus;
import io.dcloud.environment.EnvironmentView;
import io.dcloud.gateway.common.AuditLog;
import io.dcloud.gateway.common.ClusterAsks;
import io.dcloud.gateway.common.JsonYaml;
import io.dcloud.gateway.common.Problem;
import io.dcloud.identity.Caller;
import io.dcloud.node.FilesProtocol;
import java.time.Duration;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpEntity;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.MediaTypes;
import org.apache.pekko.http.javadsl.model.RequestEntity;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.headers.ContentDisposition;
import org.apache.pekko.http.javadsl.model.headers.ContentDispositionTypes;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.http.scaladsl.model.EntityStreamSizeException;
import org.apache.pekko.stream.SourceRef;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.stream.javadsl.StreamRefs;
import org.apache.pekko.util.ByteString;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code PUT} and {@code GET /environments/{id}/files?path=/absolute/path}: files into and out of a
 * RUNNING environment, on the node that runs it. An upload with {@code Content-Type:
 * application/x-tar} is extracted into directory {@code path} (made if missing); any other is one
 * file written at {@code path}. A download is a regular file's bytes, or a tar of a directory. The
 * bytes stream through the gateway into a StreamRef and out of one, never held whole. Owner or
 * admin only (as exec), audited; uploads past {@code dcloud.http.files.max-upload-size} are 413.
 */
public final class EnvironmentFiles extends AllDirectives {
  private static final Logger log = LoggerFactory.getLogger(EnvironmentFiles.class);
  private static final String PUT_ACTION = "environment.files.put";
  private static final String GET_ACTION = "environment.files.get";
  private static final String TAR = "application/x-tar";

  private final ActorSystem<?> system;
  private final ClusterAsks asks;
  private final JsonYaml codec;
  private final AuditLog audit;
  private final long maxUploadBytes;
  private final Duration uploadTimeout;

  public EnvironmentFiles(ActorSystem<?> system, ClusterAsks asks, JsonYaml codec, Config config, AuditLog audit) {
    this.system = system;
    this.asks = asks;
    this.codec = codec;
    this.audit = audit;
    Config files = config.getConfig("dcloud.http.files");
    this.maxUploadBytes = files.getBytes("max-upload-size");
    this.uploadTimeout = files.getDuration("upload-timeout");
  }

  /** What the upload answers: where it went and how many bytes came. */
  record Written(String path, long bytes) {}

  public Route route(String id, Caller caller) {
    return parameterOptional(FilePaths.PARAMETER, rawPath -> concat(
        put(() -> withSizeLimit(maxUploadBytes, () -> extractRequestEntity(entity -> {
          String path = FilePaths.read(rawPath);
          // The request lasts as long as the upload may, not the server's request-timeout.
          return withRequestTimeout(scala.concurrent.duration.Duration.fromNanos(uploadTimeout.toNanos()),
              () -> completeWithFuture(upload(id, caller, path, entity)));
        }))),
        get(() -> {
          String path = FilePaths.read(rawPath);
          return completeWithFuture(download(id, caller, path));
        })));
  }

  private CompletionStage<HttpResponse> upload(String id, Caller caller, String path, RequestEntity entity) {
    OptionalLong length = entity.getContentLengthOption();
    if (length.isPresent() && length.getAsLong() > maxUploadBytes) {
      throw tooLarge(length.getAsLong() + " bytes");
    }
    boolean archive = entity.getContentType().mediaType().toString().equals(TAR);
    return reachable(id, caller, PUT_ACTION).thenCompose(view -> {
      AtomicReference<Throwable> uploadFailure = new AtomicReference<>();
      SourceRef<byte[]> content = entity.getDataBytes()
          .map(ByteString::toArray)
          .watchTermination((mat, done) -> done.whenComplete((ok, failure) -> uploadFailure.set(failure)))
          .runWith(StreamRefs.sourceRef(), system);
      Long declared = length.isPresent() ? length.getAsLong() : null;
      return asks.<FilesProtocol.Reply>environment(
              id, replyTo -> new EnvironmentEntity.PutFiles(path, archive, declared, content, replyTo), uploadTimeout)
          .thenApply(reply -> {
            if (uploadFailure.get() instanceof EntityStreamSizeException) {
              audit.record(caller, PUT_ACTION, id, "too large: " + path);
              throw tooLarge("more than that");
            }
            if (reply instanceof FilesProtocol.Written written) {
              audit.record(caller, PUT_ACTION, id, "wrote " + written.bytes() + " bytes to " + path);
              log.info("Environment {}: {} wrote {} bytes to {}{}", id, caller.username(), written.bytes(), path,
                  archive ? " (a tar)" : "");
              return codec.jsonResponse(StatusCodes.CREATED, new Written(path, written.bytes()));
            }
            throw failed(id, caller, PUT_ACTION, reply);
          });
    });
  }

  private CompletionStage<HttpResponse> download(String id, Caller caller, String path) {
    return reachable(id, caller, GET_ACTION)
        .thenCompose(view -> asks.<FilesProtocol.Reply>environment(id, replyTo -> new EnvironmentEntity.GetFiles(path, replyTo)))
        .thenApply(reply -> {
          if (!(reply instanceof FilesProtocol.Read read)) {
            throw failed(id, caller, GET_ACTION, reply);
          }
          audit.record(caller, GET_ACTION, id, "read " + path);
          Source<ByteString, ?> bytes = read.content().getSource().map(ByteString::fromArray);
          HttpEntity.Chunked body = read.archive()
              ? HttpEntities.create(MediaTypes.APPLICATION_X_TAR.toContentType(), bytes)
              : HttpEntities.create(ContentTypes.APPLICATION_OCTET_STREAM, bytes);
          String filename = read.archive() ? read.name() + ".tar" : read.name();
          return HttpResponse.create()
              .withStatus(StatusCodes.OK)
              .addHeader(ContentDisposition.create(ContentDispositionTypes.ATTACHMENT, Map.of("filename", filename)))
              .withEntity(read.archive() || read.size() == null
                  ? body
                  : HttpEntities.create(ContentTypes.APPLICATION_OCTET_STREAM, read.size(), bytes));
        });
  }

  /** The environment, when the caller may reach into it and it runs. */
  private CompletionStage<EnvironmentView> reachable(String id, Caller caller, String action) {
    return EnvironmentReplies.view(asks, id, caller).thenApply(view -> {
      if (!caller.mayAccess(view.owner())) {
        audit.record(caller, action, id, "forbidden");
        throw Problem.of(Problem.Type.FORBIDDEN, "environment " + id + " is shared with a group of yours to see: only "
            + view.owner() + " or an admin may reach its files").exception();
      }
      if (view.status() != EnvironmentStatus.RUNNING) {
        throw Problem.conflict("cannot reach the files of environment " + id + ": it is " + view.status()
            + ", not RUNNING").exception();
      }
      return view;
    });
  }

  private RuntimeException failed(String id, Caller caller, String action, FilesProtocol.Reply reply) {
    if (reply instanceof FilesProtocol.Missing missing) {
      audit.record(caller, action, id, "missing " + missing.path());
      return Problem.of(Problem.Type.NOT_FOUND, "environment " + id + " has nothing at " + missing.path(),
          FilePaths.PARAMETER, missing.path() + " does not exist").exception();
    }
    audit.record(caller, action, id, "refused");
    if (reply instanceof FilesProtocol.Rejected rejected) {
      return Problem.of(Problem.Type.MALFORMED_REQUEST, "the upload to environment " + id + " was refused: "
          + rejected.reason()).exception();
    }
    if (reply instanceof FilesProtocol.Refused refused) {
      return Problem.of(Problem.Type.TOO_MANY_SESSIONS, "the node of environment " + id + " runs " + refused.limit()
          + " file transfers, its limit (dcloud.node.max-file-transfers): try again when one ends").exception();
    }
    return Problem.conflict("cannot reach the files of environment " + id + ": "
        + ((FilesProtocol.Unavailable) reply).reason()).exception();
  }

  private RuntimeException tooLarge(String size) {
    return Problem.of(Problem.Type.BODY_TOO_LARGE, "the upload is " + size + ": at most " + maxUploadBytes
        + " bytes are accepted (dcloud.http.files.max-upload-size)").exception();
  }
}
