package io.dcloud.gateway.dataset;

import com.typesafe.config.Config;
import io.dcloud.dataset.BlobStore;
import io.dcloud.dataset.DatasetEntity;
import io.dcloud.dataset.DatasetState;
import io.dcloud.dataset.DatasetVersion;
import io.dcloud.dataset.DatasetWriter;
import io.dcloud.gateway.common.AuditLog;
import io.dcloud.http.ContentTypeTexts;
import io.dcloud.gateway.common.JsonYaml;
import io.dcloud.gateway.common.Problem;
import io.dcloud.gateway.common.ProblemException;
import io.dcloud.identity.Caller;
import io.dcloud.identity.Role;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Metrics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.http.javadsl.model.ContentType;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpHeader;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.RequestEntity;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.headers.ByteRange;
import org.apache.pekko.http.javadsl.model.headers.ETag;
import org.apache.pekko.http.javadsl.model.headers.EntityTag;
import org.apache.pekko.http.javadsl.model.headers.Range;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.http.scaladsl.model.EntityStreamSizeException;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.util.ByteString;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code PUT} and {@code GET /datasets/{category}/{db}/{name}}: the bytes of a version, streamed
 * between the HTTP entity and the blob store, never held whole. A PUT begins an upload on the
 * entity (so that one the client abandons is found and reclaimed), stores the blob while hashing
 * it, and commits it as the next version. Their own size limit ({@code dcloud.datasets.max-size})
 * and timeout ({@code dcloud.datasets.transfer-timeout}), not the API's.
 */
public final class DatasetTransfers extends AllDirectives {
  private static final Logger log = LoggerFactory.getLogger(DatasetTransfers.class);
  static final String PUT_ACTION = "dataset.put";
  static final String GET_ACTION = "dataset.get";
  /** Who may upload: data scientists (and admins, who may everything). */
  private static final Set<Role> UPLOADERS = Set.of(Role.DATA_SCIENTIST);

  private final ActorSystem<?> system;
  private final DatasetAccess access;
  private final JsonYaml codec;
  private final AuditLog audit;
  private final DatasetWriter writer;
  private final long maxSize;
  private final Duration transferTimeout;
  private final Counter bytesIn;
  private final Counter bytesOut;

  DatasetTransfers(ActorSystem<?> system, DatasetAccess access, JsonYaml codec, Config config, AuditLog audit,
      Duration askTimeout) {
    this.system = system;
    this.access = access;
    this.codec = codec;
    this.audit = audit;
    this.maxSize = config.getBytes("dcloud.datasets.max-size");
    this.transferTimeout = config.getDuration("dcloud.datasets.transfer-timeout");
    this.writer = new DatasetWriter(system, access.backends().entities(), access.backends().index(),
        access.backends().blobs(), askTimeout);
    this.bytesIn = Counter.builder("dcloud.datasets.bytes.in").baseUnit("bytes")
        .description("Dataset bytes uploaded through this gateway").register(Metrics.globalRegistry);
    this.bytesOut = Counter.builder("dcloud.datasets.bytes.out").baseUnit("bytes")
        .description("Dataset bytes downloaded through this gateway").register(Metrics.globalRegistry);
  }

  Route put(String id, Caller caller) {
    // The request lasts as long as a transfer may, not the server's request-timeout.
    return withSizeLimit(maxSize, () -> extractRequestEntity(entity -> withRequestTimeout(
        scala.concurrent.duration.Duration.fromNanos(transferTimeout.toNanos()),
        () -> completeWithFuture(upload(id, caller, entity)))));
  }

  /**
   * One byte range is served from the chunks that hold it alone ({@link DatasetRanges}); its bytes
   * are not checked against the digest of the whole version. Several ranges are sliced from the
   * verified stream by pekko-http.
   */
  Route get(String id, Caller caller, Integer version) {
    return withRequestTimeout(scala.concurrent.duration.Duration.fromNanos(transferTimeout.toNanos()),
        () -> optionalHeaderValueByType(Range.class, header -> DatasetRanges.single(header)
            .<Route>map(range -> completeWithFuture(download(id, caller, version, Optional.of(range))))
            .orElseGet(() -> withRangeSupport(() -> completeWithFuture(download(id, caller, version, Optional.empty()))))));
  }

  private CompletionStage<HttpResponse> upload(String id, Caller caller, RequestEntity entity) {
    if (!caller.hasAny(UPLOADERS)) {
      audit.record(caller, PUT_ACTION, id, "forbidden");
      throw Problem.of(Problem.Type.FORBIDDEN, "only data scientists and admins may upload datasets").exception();
    }
    OptionalLong length = entity.getContentLengthOption();
    if (length.isPresent() && length.getAsLong() > maxSize) {
      audit.record(caller, PUT_ACTION, id, "too large: " + length.getAsLong() + " bytes");
      throw tooLarge(length.getAsLong() + " bytes");
    }
    return stored(id, caller, entity.getContentType().mediaType().toString(), entity.getDataBytes())
        .thenApply(version -> codec.jsonResponse(StatusCodes.CREATED,
            new DatasetJson.Uploaded(id, version.version(), version.size(), version.sha256())));
  }

  /**
   * Stores {@code bytes} as the next version of dataset {@code id} for {@code caller}, who must
   * own it (or it must be new): the upload path of every way in (a PUT, a model's bundle). The
   * caller's role and the size limit are the way in's to check.
   */
  public CompletionStage<DatasetVersion> stored(String id, Caller caller, String contentType, Source<ByteString, ?> bytes) {
    String blobId = UUID.randomUUID().toString();
    return access.<DatasetState>ask(id, DatasetEntity.Get::new)
        .thenCompose(state -> {
          if (state.owner() != null && !caller.mayAccess(state.owner())) {
            audit.record(caller, PUT_ACTION, id, "not the owner");
            throw DatasetAccess.mayRead(state, caller)
                ? Problem.of(Problem.Type.FORBIDDEN, "dataset " + id + " is " + state.owner()
                    + "'s: only its owner or an admin may add versions").exception()
                : Problem.notFound("dataset " + id).exception();
          }
          return writer.register(id);
        })
        .thenCompose(registered -> writer.begin(id, blobId, caller.username(), caller.isAdmin()))
        .thenCompose(begun -> {
          if (!(begun instanceof DatasetEntity.Updated)) {
            audit.record(caller, PUT_ACTION, id, "refused");
            throw DatasetAccess.refused(begun);
          }
          return store(id, caller, blobId, bytes);
        })
        .thenCompose(stored -> writer.commit(id, blobId, stored, contentType, caller.username()))
        .thenApply(committed -> {
          if (!(committed instanceof DatasetEntity.Updated updated)) {
            access.backends().blobs().delete(blobId);
            audit.record(caller, PUT_ACTION, id, "refused at commit");
            throw DatasetAccess.refused(committed);
          }
          DatasetVersion version = updated.state().versions().stream()
              .filter(v -> v.blobId().equals(blobId)).findFirst().orElseThrow();
          audit.record(caller, PUT_ACTION, id, "version " + version.version() + ": " + version.size() + " bytes, sha256 "
              + version.sha256());
          log.info("Dataset {}: {} uploaded version {} ({} bytes, {})", id, caller.username(), version.version(),
              version.size(), contentType);
          return version;
        });
  }

  /** Streams the body into the blob; a failed upload is abandoned at once (the janitor reclaims its chunks). */
  private CompletionStage<BlobStore.StoredBlob> store(String id, Caller caller, String blobId,
      Source<ByteString, ?> bytes) {
    return writer.write(id, blobId, bytes.map(chunk -> {
      bytesIn.increment(chunk.size());
      return chunk;
    }))
        .exceptionally(failure -> {
          Throwable cause = failure instanceof CompletionException ? failure.getCause() : failure;
          if (cause instanceof EntityStreamSizeException) {
            audit.record(caller, PUT_ACTION, id, "too large");
            throw tooLarge("more than that");
          }
          audit.record(caller, PUT_ACTION, id, "interrupted");
          log.info("Dataset {}: the upload of {} was interrupted ({}); abandoned", id, caller.username(), cause.toString());
          throw Problem.of(Problem.Type.MALFORMED_REQUEST, "the upload was interrupted: " + cause.getMessage()).exception();
        });
  }

  private CompletionStage<HttpResponse> download(String id, Caller caller, Integer wanted, Optional<ByteRange> range) {
    return access.readable(id, caller).thenApply(state -> {
      DatasetVersion version = DatasetAccess.version(state, wanted);
      Optional<DatasetRanges> slice = range.flatMap(r -> DatasetRanges.resolve(r, version.size()));
      if (range.isPresent() && slice.isEmpty()) {
        return DatasetRanges.notSatisfiable(version.size(), version.version());
      }
      audit.record(caller, GET_ACTION, id, "version " + version.version()
          + slice.map(s -> ", bytes " + s.start() + "-" + (s.end() - 1)).orElse(""));
      Source<ByteString, ?> bytes = slice
          .map(s -> access.backends().blobs().readRange(version.blobId(), version.size(), s.start(), s.end()))
          .orElseGet(() -> access.backends().blobs().read(version.blobId(), version.size(), version.sha256()))
          .map(chunk -> {
            bytesOut.increment(chunk.size());
            return chunk;
          });
      List<HttpHeader> headers = new ArrayList<>(List.of(
          ETag.create(EntityTag.create(version.sha256(), false)),
          HttpHeader.parse("X-Dataset-Version", Integer.toString(version.version())),
          HttpHeader.parse("X-Dataset-Sha256", version.sha256())));
      slice.ifPresent(s -> headers.add(s.header(version.size())));
      long length = slice.map(s -> s.end() - s.start()).orElse(version.size());
      return HttpResponse.create().withStatus(slice.isPresent() ? StatusCodes.PARTIAL_CONTENT : StatusCodes.OK)
          .addHeaders(headers).withEntity(HttpEntities.create(contentType(version), length, bytes));
    });
  }

  /** As it was uploaded; one that no longer parses (it was accepted once) is sent as bytes. */
  private static ContentType contentType(DatasetVersion version) {
    return ContentTypeTexts.parse(version.contentType());
  }

  private ProblemException tooLarge(String size) {
    return Problem.of(Problem.Type.BODY_TOO_LARGE, "the dataset is " + size + ": at most " + maxSize
        + " bytes are accepted (dcloud.datasets.max-size)").exception();
  }
}
