package io.dcloud.deploy;

import io.dcloud.contracts.TarHeader;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A small in-memory tar (POSIX ustar) writer for build contexts and test images: regular files,
 * directories and symbolic links, owned by root ({@link TarHeader}). Enough for what DCloud sends
 * to the engine, with no dependency beyond the JDK.
 */
public final class TarArchive {

  private record Entry(String path, byte type, int mode, byte[] content, String linkTarget) {}

  private final List<Entry> entries = new ArrayList<>();

  public static TarArchive create() {
    return new TarArchive();
  }

  /** {@code mode} as the octal permission bits, e.g. {@code 0644}. */
  public TarArchive file(String path, byte[] content, int mode) {
    entries.add(new Entry(path, TarHeader.TYPE_FILE, mode, content, ""));
    return this;
  }

  public TarArchive file(String path, String content) {
    return file(path, content.getBytes(StandardCharsets.UTF_8), 0644);
  }

  public TarArchive directory(String path, int mode) {
    String dir = path.endsWith("/") ? path : path + "/";
    entries.add(new Entry(dir, TarHeader.TYPE_DIRECTORY, mode, new byte[0], ""));
    return this;
  }

  public TarArchive symlink(String path, String target) {
    entries.add(new Entry(path, TarHeader.TYPE_SYMLINK, 0777, new byte[0], target));
    return this;
  }

  public byte[] toBytes() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (Entry entry : entries) {
      out.writeBytes(TarHeader.of(entry.path(), entry.type(), entry.mode(), entry.content().length, entry.linkTarget()));
      out.writeBytes(entry.content());
      out.writeBytes(new byte[TarHeader.padding(entry.content().length)]);
    }
    out.writeBytes(new byte[TarHeader.END_BLOCKS * TarHeader.BLOCK]);
    return out.toByteArray();
  }
}
