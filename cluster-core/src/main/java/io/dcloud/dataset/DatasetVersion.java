package io.dcloud.dataset;

import io.dcloud.serialization.CborSerializable;
import java.time.Instant;

/**
 * One immutable version of a dataset: its bytes are the blob {@code blobId} of the {@link BlobStore}.
 *
 * @param contentType what the uploader said the bytes are; {@code application/x-tar} is a directory
 */
public record DatasetVersion(
    int version, String blobId, long size, String sha256, String contentType, String actor, Instant createdAt)
    implements CborSerializable {

  public static final String TAR = "application/x-tar";

  public boolean isDirectory() {
    return TAR.equals(contentType);
  }
}
