package io.dcloud.dataset;

import io.dcloud.serialization.CborSerializable;
import java.time.Instant;

/**
 * One immutable version of a dataset: its bytes are the blob {@code blobId} of the {@link BlobStore}.
 *
 * @param contentType what the uploader said the bytes are; a tar ({@code application/x-tar}) or a
 *     gzip-compressed tar ({@code application/x-gtar}, a {@code .tar.gz}) is a directory
 */
public record DatasetVersion(
    int version, String blobId, long size, String sha256, String contentType, String actor, Instant createdAt)
    implements CborSerializable {

  public static final String TAR = "application/x-tar";
  /** A gzip-compressed tar. Not {@code application/gzip}: that may be one compressed file, kept as it is. */
  public static final String GZIPPED_TAR = "application/x-gtar";

  public boolean isDirectory() {
    return TAR.equals(contentType) || isGzipped();
  }

  /** A directory whose tar is gzip-compressed. */
  public boolean isGzipped() {
    return GZIPPED_TAR.equals(contentType);
  }
}
