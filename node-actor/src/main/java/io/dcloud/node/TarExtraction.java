package io.dcloud.node;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Extracts a tar (ustar, with GNU long names) into a directory: regular files and directories only.
 * Links, devices and anything else are skipped, as are names that are absolute or climb out with
 * {@code ..}: a dataset is data, and it is extracted on the node's own disk.
 */
final class TarExtraction {
  private static final int BLOCK = 512;

  private TarExtraction() {}

  /** How many files it wrote. */
  static int extract(InputStream tar, Path into) throws IOException {
    byte[] header = new byte[BLOCK];
    String longName = null;
    int files = 0;
    while (true) {
      if (tar.readNBytes(header, 0, BLOCK) < BLOCK || isZero(header)) {
        return files;
      }
      long size = octal(header, 124, 12);
      char type = (char) header[156];
      if (type == 'L') {
        longName = new String(readExactly(tar, size), StandardCharsets.UTF_8).replace("\0", "");
        skipPadding(tar, size);
        continue;
      }
      String name = longName != null ? longName : name(header);
      longName = null;
      Path target = into.resolve(name).normalize();
      boolean inside = !name.startsWith("/") && target.startsWith(into) && !target.equals(into);
      if (inside && (type == '0' || type == '\0')) {
        Files.createDirectories(target.getParent());
        try (var out = Files.newOutputStream(target)) {
          copy(tar, out, size);
        }
        skipPadding(tar, size);
        files++;
      } else {
        if (inside && type == '5') {
          Files.createDirectories(target);
        }
        skipFully(tar, size + padding(size));
      }
    }
  }

  private static String name(byte[] header) {
    String name = text(header, 0, 100);
    String prefix = new String(header, 257, 6, StandardCharsets.US_ASCII).startsWith("ustar") ? text(header, 345, 155) : "";
    return prefix.isEmpty() ? name : prefix + "/" + name;
  }

  private static String text(byte[] header, int offset, int length) {
    int end = offset;
    while (end < offset + length && header[end] != 0) {
      end++;
    }
    return new String(header, offset, end - offset, StandardCharsets.UTF_8);
  }

  private static long octal(byte[] header, int offset, int length) {
    String digits = text(header, offset, length).trim();
    return digits.isEmpty() ? 0 : Long.parseLong(digits, 8);
  }

  private static boolean isZero(byte[] block) {
    for (byte b : block) {
      if (b != 0) {
        return false;
      }
    }
    return true;
  }

  private static long padding(long size) {
    return (BLOCK - size % BLOCK) % BLOCK;
  }

  private static void skipPadding(InputStream in, long size) throws IOException {
    skipFully(in, padding(size));
  }

  private static byte[] readExactly(InputStream in, long size) throws IOException {
    byte[] bytes = in.readNBytes(Math.toIntExact(size));
    if (bytes.length < size) {
      throw new EOFException("the tar ends inside an entry");
    }
    return bytes;
  }

  private static void copy(InputStream in, java.io.OutputStream out, long size) throws IOException {
    byte[] buffer = new byte[64 * 1024];
    long left = size;
    while (left > 0) {
      int read = in.read(buffer, 0, (int) Math.min(buffer.length, left));
      if (read < 0) {
        throw new EOFException("the tar ends inside an entry");
      }
      out.write(buffer, 0, read);
      left -= read;
    }
  }

  private static void skipFully(InputStream in, long count) throws IOException {
    long left = count;
    while (left > 0) {
      long skipped = in.skip(left);
      if (skipped <= 0) {
        if (in.read() < 0) {
          throw new EOFException("the tar ends inside an entry");
        }
        skipped = 1;
      }
      left -= skipped;
    }
  }
}
