package io.dcloud.node;

import io.dcloud.ask.Asks;
import io.dcloud.http.ContentTypeTexts;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.http.javadsl.model.ContentType;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntity;
import org.apache.pekko.http.javadsl.model.HttpHeader;
import org.apache.pekko.http.javadsl.model.HttpMethods;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.RequestEntityAcceptances;
import org.apache.pekko.http.javadsl.model.ResponseEntity;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.stream.javadsl.StreamRefs;
import org.apache.pekko.util.ByteString;

/**
 * A proxied call as a Pekko HTTP request and its answer as {@link ProxyWire}, the same wherever the
 * call is made: by the node's proxy to a container, and by a gateway straight to a replica's port.
 * Both answer alike, so a caller cannot tell which way a call went.
 */
public final class ProxyHttp {
  private ProxyHttp() {}

  /** {@code method} to {@code uri} with {@code headers}; a method Pekko does not know is sent as written. */
  public static HttpRequest request(String method, String uri, List<ProxyWire.Header> headers) {
    return HttpRequest.create()
        .withMethod(HttpMethods.lookup(method)
            .orElseGet(() -> HttpMethods.custom(method, false, false, RequestEntityAcceptances.Tolerated)))
        .withUri(uri)
        .addHeaders(headers(headers));
  }

  /**
   * Without hop-by-hop headers. Parsed, so Host stays the caller's (applications compare it with
   * Origin) instead of this hop's; as sent where Pekko's model of a header would change it (its
   * {@code X-Forwarded-Host} keeps no port).
   */
  public static List<HttpHeader> headers(List<ProxyWire.Header> headers) {
    List<HttpHeader> parsed = new ArrayList<>(headers.size());
    for (ProxyWire.Header header : headers) {
      if (!ProxyWire.HOP_BY_HOP.contains(header.name().toLowerCase(Locale.ROOT))) {
        HttpHeader modeled = HttpHeader.parse(header.name(), header.value());
        parsed.add(modeled.value().equals(header.value()) ? modeled : RawHeader.create(header.name(), header.value()));
      }
    }
    return parsed;
  }

  /** A body's content type as carried; none (or one that does not parse) is plain bytes. */
  public static ContentType contentType(String text) {
    return text == null ? ContentTypes.APPLICATION_OCTET_STREAM : ContentTypeTexts.parse(text);
  }

  /**
   * The answer as the proxy's caller gets it: a small body known whole inline (without running a
   * stream when it arrived whole), any other as a stream of pieces; a failure after {@code timeout}
   * when a small body does not arrive.
   */
  public static CompletionStage<ProxyWire.Response> answer(HttpResponse response, Duration timeout, Materializer materializer) {
    ResponseEntity entity = response.entity();
    String type = entity.getContentType().equals(ContentTypes.NO_CONTENT_TYPE) ? null : entity.getContentType().toString();
    List<ProxyWire.Header> headers = wire(response.getHeaders());
    int status = response.status().intValue();
    if (entity.isKnownEmpty()) {
      return CompletableFuture.completedFuture(new ProxyWire.Response(status, headers, type, null, null));
    }
    if (entity instanceof HttpEntity.Strict strict && strict.getData().size() <= ProxyPieces.SIZE) {
      return CompletableFuture.completedFuture(inline(status, headers, type, strict.getData()));
    }
    if (entity.getContentLengthOption().isPresent() && entity.getContentLengthOption().getAsLong() <= ProxyPieces.SIZE) {
      // Re-homed at once: continuations of Pekko's stages would each start a thread on two cores (see Asks).
      return Asks.completedInline(entity.toStrict(timeout.toMillis(), materializer))
          .thenApply(strict -> inline(status, headers, type, strict.getData()));
    }
    return CompletableFuture.completedFuture(new ProxyWire.Response(status, headers, type, null,
        entity.getDataBytes().mapConcat(ProxyPieces::chunks).runWith(StreamRefs.sourceRef(), materializer)));
  }

  /** Without hop-by-hop headers: each hop sets its own. */
  public static List<ProxyWire.Header> wire(Iterable<HttpHeader> headers) {
    List<ProxyWire.Header> wire = new ArrayList<>();
    for (HttpHeader header : headers) {
      if (!ProxyWire.HOP_BY_HOP.contains(header.lowercaseName())) {
        wire.add(new ProxyWire.Header(header.name(), header.value()));
      }
    }
    return wire;
  }

  private static ProxyWire.Response inline(int status, List<ProxyWire.Header> headers, String type, ByteString body) {
    return new ProxyWire.Response(status, headers, type, new ProxyWire.Chunk(body.toArray()), null);
  }
}
