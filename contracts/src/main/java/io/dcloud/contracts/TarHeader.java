package io.dcloud.contracts;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * One POSIX ustar header block, owned by root with a fixed mtime (so identical content makes
 * identical archives), and the padding after an entry's bytes. Shared by the in-memory archives the
 * node sends the engine and the model bundles the gateway streams into the dataset store, so an
 * entry of any size can be written before its bytes are read.
 */
public final class TarHeader {
  public static final int BLOCK = 512;
  /** Two zero blocks end an archive. */
  public static final int END_BLOCKS = 2;
  public static final byte TYPE_FILE = '0';
  public static final byte TYPE_SYMLINK = '2';
  public static final byte TYPE_DIRECTORY = '5';

  private static final int NAME_LENGTH = 100;
  private static final int PREFIX_LENGTH = 155;

  private TarHeader() {}

  /** A regular file's header; {@code mode} as the octal permission bits, e.g. {@code 0644}. */
  public static byte[] file(String path, long size, int mode) {
    return of(path, TYPE_FILE, mode, size, "");
  }

  public static byte[] of(String path, byte type, int mode, long size, String linkTarget) {
    byte[] h = new byte[BLOCK];
    String[] split = splitName(path);
    put(h, 0, NAME_LENGTH, split[1]);
    octal(h, 100, 8, mode);
    octal(h, 108, 8, 0); // uid root
    octal(h, 116, 8, 0); // gid root
    octal(h, 124, 12, size);
    octal(h, 136, 12, 0); // mtime: fixed, so identical contexts are byte-identical
    h[156] = type;
    put(h, 157, NAME_LENGTH, linkTarget);
    put(h, 257, 6, "ustar");
    put(h, 263, 2, "00");
    put(h, 265, 32, "root");
    put(h, 297, 32, "root");
    put(h, 345, PREFIX_LENGTH, split[0]);
    // The checksum is computed with its own field filled with spaces.
    Arrays.fill(h, 148, 156, (byte) ' ');
    long sum = 0;
    for (byte b : h) {
      sum += b & 0xff;
    }
    byte[] checksum = String.format("%06o", sum).getBytes(StandardCharsets.US_ASCII);
    System.arraycopy(checksum, 0, h, 148, checksum.length);
    h[154] = 0;
    h[155] = ' ';
    return h;
  }

  /** The zero bytes that fill an entry of {@code length} bytes up to a whole block. */
  public static int padding(long length) {
    return (int) ((BLOCK - length % BLOCK) % BLOCK);
  }

  /** ustar keeps long paths as prefix + "/" + name. */
  private static String[] splitName(String path) {
    byte[] bytes = path.getBytes(StandardCharsets.UTF_8);
    if (bytes.length <= NAME_LENGTH) {
      return new String[] {"", path};
    }
    int slash = path.lastIndexOf('/', path.length() - 2);
    while (slash > 0) {
      String prefix = path.substring(0, slash);
      String name = path.substring(slash + 1);
      if (prefix.getBytes(StandardCharsets.UTF_8).length <= PREFIX_LENGTH
          && name.getBytes(StandardCharsets.UTF_8).length <= NAME_LENGTH) {
        return new String[] {prefix, name};
      }
      slash = path.lastIndexOf('/', slash - 1);
    }
    throw new IllegalArgumentException("path too long for a tar header: " + path);
  }

  private static void put(byte[] h, int offset, int length, String value) {
    byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
    if (bytes.length > length) {
      throw new IllegalArgumentException("tar header field too long: " + value);
    }
    System.arraycopy(bytes, 0, h, offset, bytes.length);
  }

  private static void octal(byte[] h, int offset, int length, long value) {
    String digits = Long.toOctalString(value);
    if (digits.length() > length - 1) {
      throw new IllegalArgumentException("value too large for a tar header: " + value);
    }
    put(h, offset, length - 1, "0".repeat(length - 1 - digits.length()) + digits);
  }
}
