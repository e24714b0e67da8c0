package io.dcloud.deploy;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A small in-memory tar (POSIX ustar) writer for build contexts and test images: regular files,
 * directories and symbolic links, owned by root. Enough for what DCloud sends to the engine, with
 * no dependency beyond the JDK.
 */
public final class TarArchive {

  private static final int BLOCK = 512;
  private static final int NAME_LENGTH = 100;
  private static final int PREFIX_LENGTH = 155;
  private static final int END_BLOCKS = 2;

  private static final byte TYPE_FILE = '0';
  private static final byte TYPE_SYMLINK = '2';
  private static final byte TYPE_DIRECTORY = '5';

  private record Entry(String path, byte type, int mode, byte[] content, String linkTarget) {}

  private final List<Entry> entries = new ArrayList<>();

  public static TarArchive create() {
    return new TarArchive();
  }

  /** {@code mode} as the octal permission bits, e.g. {@code 0644}. */
  public TarArchive file(String path, byte[] content, int mode) {
    entries.add(new Entry(path, TYPE_FILE, mode, content, ""));
    return this;
  }

  public TarArchive file(String path, String content) {
    return file(path, content.getBytes(StandardCharsets.UTF_8), 0644);
  }

  public TarArchive directory(String path, int mode) {
    String dir = path.endsWith("/") ? path : path + "/";
    entries.add(new Entry(dir, TYPE_DIRECTORY, mode, new byte[0], ""));
    return this;
  }

  public TarArchive symlink(String path, String target) {
    entries.add(new Entry(path, TYPE_SYMLINK, 0777, new byte[0], target));
    return this;
  }

  public byte[] toBytes() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (Entry entry : entries) {
      out.writeBytes(header(entry));
      out.writeBytes(entry.content());
      out.writeBytes(new byte[padding(entry.content().length)]);
    }
    out.writeBytes(new byte[END_BLOCKS * BLOCK]);
    return out.toByteArray();
  }

  private static int padding(int length) {
    return (BLOCK - length % BLOCK) % BLOCK;
  }

  private static byte[] header(Entry entry) {
    byte[] h = new byte[BLOCK];
    String[] split = splitName(entry.path());
    put(h, 0, NAME_LENGTH, split[1]);
    octal(h, 100, 8, entry.mode());
    octal(h, 108, 8, 0); // uid root
    octal(h, 116, 8, 0); // gid root
    octal(h, 124, 12, entry.content().length);
    octal(h, 136, 12, 0); // mtime: fixed, so identical contexts are byte-identical
    h[156] = entry.type();
    put(h, 157, NAME_LENGTH, entry.linkTarget());
    put(h, 257, 6, "ustar");
    put(h, 263, 2, "00");
    put(h, 265, 32, "root");
    put(h, 297, 32, "root");
    put(h, 345, PREFIX_LENGTH, split[0]);
    // The checksum is computed with its own field filled with spaces.
    java.util.Arrays.fill(h, 148, 156, (byte) ' ');
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
