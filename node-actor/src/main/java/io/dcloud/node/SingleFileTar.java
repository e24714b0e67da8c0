package io.dcloud.node;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.io.UncheckedIOException;
import java.util.Collections;
import java.util.List;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

/**
 * A tar of one regular file, as a stream: its header (long names and sizes in POSIX form), then the
 * content as it comes, then the padding and the end-of-archive blocks. Nothing is buffered but
 * the header, so a file of any size streams through. Mode 0644 (the entry's default), owned by
 * {@code owner}.
 */
final class SingleFileTar {
  private static final int BLOCK = 512;
  private static final int END_OF_ARCHIVE = 2 * BLOCK;

  private SingleFileTar() {}

  /** {@code content} must hold exactly {@code length} bytes. */
  static InputStream of(String name, long length, InputStream content, TarOwnership.Owner owner) {
    int padding = (int) ((BLOCK - length % BLOCK) % BLOCK);
    return new SequenceInputStream(Collections.enumeration(List.of(
        new ByteArrayInputStream(header(name, length, owner)),
        content,
        new ByteArrayInputStream(new byte[padding + END_OF_ARCHIVE]))));
  }

  private static byte[] header(String name, long length, TarOwnership.Owner owner) {
    TarArchiveEntry entry = new TarArchiveEntry(name);
    entry.setSize(length);
    owner.apply(entry);
    ByteArrayOutputStream header = new ByteArrayOutputStream();
    // The stream is dropped after its header: the content is appended by the caller, not through it.
    @SuppressWarnings("resource")
    TarArchiveOutputStream tar = new TarArchiveOutputStream(header, BLOCK); // one block at a time: nothing held back
    tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
    tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
    try {
      tar.putArchiveEntry(entry);
      tar.flush();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return header.toByteArray();
  }
}
