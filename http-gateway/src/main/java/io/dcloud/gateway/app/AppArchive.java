package io.dcloud.gateway.app;

import io.dcloud.gateway.common.Problem;
import io.dcloud.validation.ValidationException;
import java.io.BufferedInputStream;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Enumeration;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

/**
 * An app's source archive (a tar, a gzipped tar or a zip, told apart by their first bytes, not by
 * the file's name) checked and rewritten as the one plain tar a directory dataset version is: the
 * app's config first ({@link #CONFIG}, so {@link io.dcloud.gateway.model.BundleConfig} reads it from the first blocks),
 * then its directories and regular files, owned by root. An entry that would land outside the
 * app's directory (absolute, {@code ..}), a link or a device, or a file named {@link #CONFIG} is a
 * 422 of {@code source}; more than {@code dcloud.apps.max-expanded-size} unpacked is a 413. Blocking:
 * run it off the dispatcher that serves requests.
 */
final class AppArchive {
  static final String SOURCE = "source";
  /** The app's config, as pushed, in its source directory: what {@code GET /apps/{name}} shows. */
  static final String CONFIG = "dcloud-app.json";
  private static final int FILE_MODE = 0644;
  private static final int EXECUTABLE_MODE = 0755;
  private static final int BUFFER = 64 * 1024;

  /** The tar written, and how many files and bytes it unpacks to. */
  record Rewritten(Path tar, int files, long bytes) {}

  private final long maxExpandedSize;
  private TarArchiveOutputStream out;
  private int files;
  private long bytes;

  private AppArchive(long maxExpandedSize) {
    this.maxExpandedSize = maxExpandedSize;
  }

  /** Rewrites {@code archive} into {@code tar}, after {@code config}; {@code tar} is the caller's to discard. */
  static Rewritten rewrite(Path archive, byte[] config, Path tar, long maxExpandedSize) {
    AppArchive rewriting = new AppArchive(maxExpandedSize);
    try (OutputStream file = Files.newOutputStream(tar);
        TarArchiveOutputStream out = new TarArchiveOutputStream(file, "UTF-8")) {
      out.setLongFileMode(TarArchiveOutputStream.LONGFILE_GNU);
      rewriting.out = out;
      rewriting.file(CONFIG, FILE_MODE, config.length, new ByteArrayInputStream(config));
      rewriting.copy(archive);
      out.finish();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot rewrite an app's source into " + tar, e);
    }
    if (rewriting.files == 0) {
      throw invalid("holds no files: send the app's files in a .tar, .tar.gz or .zip");
    }
    return new Rewritten(tar, rewriting.files, rewriting.bytes);
  }

  private void copy(Path archive) throws IOException {
    byte[] magic;
    try (InputStream in = Files.newInputStream(archive)) {
      magic = in.readNBytes(262);
    }
    if (magic.length >= 4 && magic[0] == 'P' && magic[1] == 'K' && (magic[2] == 3 || magic[2] == 5)) {
      zip(archive);
    } else if (magic.length >= 2 && (magic[0] & 0xff) == 0x1f && (magic[1] & 0xff) == 0x8b) {
      tar(() -> new GZIPInputStream(new BufferedInputStream(Files.newInputStream(archive)), BUFFER), "gzipped tar");
    } else if (magic.length >= 262 && (new String(magic, 257, 5, StandardCharsets.US_ASCII).equals("ustar")
        || allZero(magic))) {
      // An empty tar is its two zero end blocks alone.
      tar(() -> new BufferedInputStream(Files.newInputStream(archive)), "tar");
    } else {
      throw invalid("must be a .tar, .tar.gz (.tgz) or .zip archive of the app's files");
    }
  }

  private static boolean allZero(byte[] bytes) {
    for (byte b : bytes) {
      if (b != 0) {
        return false;
      }
    }
    return true;
  }

  private interface Opener {
    InputStream open() throws IOException;
  }

  /** What fails to read is the archive's fault (the output's failures are unchecked). */
  private void tar(Opener opener, String kind) {
    try (TarArchiveInputStream tar = new TarArchiveInputStream(opener.open(), "UTF-8")) {
      for (TarArchiveEntry entry = tar.getNextEntry(); entry != null; entry = tar.getNextEntry()) {
        String name = checkedName(entry.getName());
        if (entry.isDirectory()) {
          directory(name);
        } else if (entry.isFile()) {
          file(name, (entry.getMode() & 0100) != 0 ? EXECUTABLE_MODE : FILE_MODE, entry.getSize(), tar);
        } else {
          throw invalid("entry '" + entry.getName() + "' is a link or a device: send only files and directories");
        }
      }
    } catch (IOException | IllegalArgumentException corrupt) {
      throw invalid("is not a readable " + kind + ": " + corrupt.getMessage());
    }
  }

  private void zip(Path archive) {
    try (ZipFile zip = new ZipFile(archive.toFile())) {
      for (Enumeration<? extends ZipEntry> entries = zip.entries(); entries.hasMoreElements(); ) {
        ZipEntry entry = entries.nextElement();
        String name = checkedName(entry.getName());
        if (entry.isDirectory()) {
          directory(name);
        } else {
          try (InputStream in = zip.getInputStream(entry)) {
            file(name, FILE_MODE, entry.getSize(), in);
          }
        }
      }
    } catch (IOException | IllegalArgumentException corrupt) {
      throw invalid("is not a readable zip: " + corrupt.getMessage());
    }
  }

  /** The entry's path inside the app's directory, without {@code ./}; empty for the directory itself. */
  private static String checkedName(String raw) {
    String name = raw;
    while (name.startsWith("./")) {
      name = name.substring(2);
    }
    if (name.startsWith("/") || name.contains("\\") || name.contains("\0")) {
      throw invalid("entry '" + raw + "' is not a relative path: the archive must hold the app's files by their "
          + "paths inside its directory");
    }
    for (String segment : name.split("/")) {
      if (segment.equals("..")) {
        throw invalid("entry '" + raw + "' climbs out of the app's directory with '..'");
      }
    }
    if (name.equals(CONFIG)) {
      throw invalid("entry '" + CONFIG + "' is DCloud's own (the app's config): rename the file");
    }
    return name.endsWith("/") ? name.substring(0, name.length() - 1) : name;
  }

  private void directory(String name) {
    if (name.isEmpty()) {
      return;
    }
    written(() -> out.putArchiveEntry(new TarArchiveEntry(name + "/")));
    written(out::closeArchiveEntry);
  }

  /** {@code size} bytes of {@code content}; a shorter entry is the archive's fault. */
  private void file(String name, int mode, long size, InputStream content) throws IOException {
    if (size < 0) {
      throw invalid("entry '" + name + "' does not say its size");
    }
    bytes += size;
    if (bytes > maxExpandedSize) {
      throw Problem.of(Problem.Type.BODY_TOO_LARGE, "the app's source unpacks to more than " + maxExpandedSize
          + " bytes", SOURCE, "must unpack to at most " + maxExpandedSize + " bytes (dcloud.apps.max-expanded-size)")
          .exception();
    }
    TarArchiveEntry entry = new TarArchiveEntry(name);
    entry.setMode(TarArchiveEntry.DEFAULT_FILE_MODE & ~0777 | mode);
    entry.setSize(size);
    written(() -> out.putArchiveEntry(entry));
    byte[] buffer = new byte[BUFFER];
    for (long left = size; left > 0; ) {
      int read = content.read(buffer, 0, (int) Math.min(buffer.length, left));
      if (read < 0) {
        throw invalid("entry '" + name + "' is shorter than its header says");
      }
      written(() -> out.write(buffer, 0, read));
      left -= read;
    }
    written(out::closeArchiveEntry);
    if (!name.equals(CONFIG)) {
      files++;
    }
  }

  private interface Write {
    void run() throws IOException;
  }

  /** A failure to write the spool file is this machine's, not the archive's: not a 422. */
  private static void written(Write write) {
    try {
      write.run();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write an app's source tar", e);
    }
  }

  private static ValidationException invalid(String reason) {
    return ValidationException.of(SOURCE, reason);
  }
}
