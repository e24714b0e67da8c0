package io.dcloud.gateway;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.GZIPOutputStream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

/** {@code POST /api/v1/apps} as a client sends it, and the archives of an app's files it sends. */
public final class AppUploads {
  private AppUploads() {}

  public static Api.Answer push(Api api, String archiveName, byte[] archive, String config) {
    Map<String, ModelUploads.Part> parts = new LinkedHashMap<>();
    parts.put("source", new ModelUploads.Part(archiveName, "application/octet-stream", archive));
    parts.put("config", new ModelUploads.Part("app.json", Api.JSON, config.getBytes(StandardCharsets.UTF_8)));
    return ModelUploads.send(api, "/api/v1/apps", parts);
  }

  /** A tar of {@code files} (path → content), gzipped when asked. */
  public static byte[] tar(Map<String, byte[]> files, boolean gzip) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (var sink = gzip ? new GZIPOutputStream(bytes) : bytes;
        TarArchiveOutputStream tar = new TarArchiveOutputStream(sink)) {
      tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_GNU);
      for (Map.Entry<String, byte[]> file : files.entrySet()) {
        TarArchiveEntry entry = new TarArchiveEntry(file.getKey());
        entry.setSize(file.getValue().length);
        tar.putArchiveEntry(entry);
        tar.write(file.getValue());
        tar.closeArchiveEntry();
      }
      tar.finish();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  public static byte[] zip(Map<String, byte[]> files) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
      for (Map.Entry<String, byte[]> file : files.entrySet()) {
        zip.putNextEntry(new ZipEntry(file.getKey()));
        zip.write(file.getValue());
        zip.closeEntry();
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }
}
