package io.dcloud.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.InputStream;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A 1 GiB dataset streamed up through the real gateway into the embedded Cassandra and back down,
 * with the live heap of this JVM (gateway, node, Cassandra driver and the test's own client) watched
 * ({@link LiveHeapSampler}): it never grows by more than {@value #MAX_GROWTH_MIB} MiB, so neither
 * direction holds the bytes. The bytes are generated as they are sent and hashed as they arrive.
 */
@Tag("docker") @Tag("cassandra")
class DatasetHeapIT {
  private static final Logger log = LoggerFactory.getLogger(DatasetHeapIT.class);
  private static final long SIZE = 1L << 30;
  private static final int MAX_GROWTH_MIB = 48;
  private static OneNodeDCloud dcloud;
  private static Api api;

  @BeforeAll
  static void startDCloud() throws Exception {
    dcloud = OneNodeDCloud.start("dataset-heap-it-node", Map.of());
    api = dcloud.api();
  }

  @AfterAll
  static void stopDCloud() {
    if (dcloud != null) {
      dcloud.close();
    }
  }

  @Test
  void aGibibyteGoesUpAndComesBackWithoutTheHeapHoldingIt() throws Exception {
    MessageDigest sent = MessageDigest.getInstance("SHA-256");
    HttpResponse<String> put;
    long uploadGrowth;
    try (LiveHeapSampler heap = new LiveHeapSampler(2000)) {
      put = api.client().send(api.request("/api/v1/datasets/heap/db/gib")
          .header("content-type", "application/octet-stream")
          .PUT(HttpRequest.BodyPublishers.fromPublisher(
              HttpRequest.BodyPublishers.ofInputStream(() -> new GeneratedBytes(SIZE, sent)), SIZE))
          .build(), HttpResponse.BodyHandlers.ofString());
      uploadGrowth = heap.peakGrowthBytes();
      log.info("1 GiB upload: live heap {} MiB at the start, grew at most {} MiB over {} samples",
          heap.baselineBytes() >> 20, uploadGrowth >> 20, heap.samples());
      assertThat(heap.samples()).as("samples during the upload").isGreaterThanOrEqualTo(3);
    }
    assertThat(put.statusCode()).as(put.body()).isEqualTo(201);
    String sha256 = HexFormat.of().formatHex(sent.digest());
    assertThat(new ObjectMapper().readTree(put.body()).path("sha256").asText()).isEqualTo(sha256);
    assertThat(uploadGrowth).as("live heap growth during the upload, bytes").isLessThan((long) MAX_GROWTH_MIB << 20);

    MessageDigest received = MessageDigest.getInstance("SHA-256");
    long bytes = 0;
    long downloadGrowth;
    try (LiveHeapSampler heap = new LiveHeapSampler(2000)) {
      HttpResponse<InputStream> get = api.client().send(api.request("/api/v1/datasets/heap/db/gib").GET().build(),
          HttpResponse.BodyHandlers.ofInputStream());
      assertThat(get.statusCode()).isEqualTo(200);
      byte[] buffer = new byte[64 * 1024];
      try (InputStream body = get.body()) {
        for (int n; (n = body.read(buffer)) > 0; ) {
          received.update(buffer, 0, n);
          bytes += n;
        }
      }
      downloadGrowth = heap.peakGrowthBytes();
      log.info("1 GiB download: live heap {} MiB at the start, grew at most {} MiB over {} samples",
          heap.baselineBytes() >> 20, downloadGrowth >> 20, heap.samples());
      assertThat(heap.samples()).as("samples during the download").isGreaterThanOrEqualTo(3);
    }
    assertThat(bytes).isEqualTo(SIZE);
    assertThat(HexFormat.of().formatHex(received.digest())).isEqualTo(sha256);
    assertThat(downloadGrowth).as("live heap growth during the download, bytes").isLessThan((long) MAX_GROWTH_MIB << 20);
  }

  /** {@code size} pseudo-random bytes, made as they are read and added to {@code digest}. */
  private static final class GeneratedBytes extends InputStream {
    private final SplittableRandom random = new SplittableRandom(13);
    private final MessageDigest digest;
    private long left;

    GeneratedBytes(long size, MessageDigest digest) {
      this.left = size;
      this.digest = digest;
    }

    @Override
    public int read() {
      byte[] one = new byte[1];
      return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] buffer, int offset, int length) {
      if (left == 0) {
        return -1;
      }
      int n = (int) Math.min(length, left);
      for (int i = 0; i < n; i += 8) {
        long value = random.nextLong();
        for (int j = 0; j < 8 && i + j < n; j++) {
          buffer[offset + i + j] = (byte) (value >>> (8 * j));
        }
      }
      digest.update(buffer, offset, n);
      left -= n;
      return n;
    }
  }
}
