package io.dcloud.app;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.zip.GZIPOutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

/** Pushes an app as the CLI does: {@code POST /api/v1/apps} with its source as a tar.gz and its config. */
final class AppPush {
  private AppPush() {}

  static HttpResponse<String> push(Api api, Map<String, String> files, String config) throws Exception {
    return push(api, files, "app.json", config);
  }

  /** {@code configName}: the config part's file name, whose extension says JSON or YAML (as the CLI sends it). */
  static HttpResponse<String> push(Api api, Map<String, String> files, String configName, String config)
      throws Exception {
    String configType =
        configName.endsWith(".yaml") || configName.endsWith(".yml") ? "application/yaml" : "application/json";
    String boundary = "app-it-" + System.nanoTime();
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    body.writeBytes(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"source\"; filename=\"app.tar.gz\"\r\n"
        + "Content-Type: application/gzip\r\n\r\n").getBytes(StandardCharsets.UTF_8));
    body.writeBytes(tarGz(files));
    body.writeBytes(("\r\n--" + boundary + "\r\nContent-Disposition: form-data; name=\"config\"; filename=\"" + configName + "\"\r\n"
        + "Content-Type: " + configType + "\r\n\r\n" + config + "\r\n--" + boundary + "--\r\n")
        .getBytes(StandardCharsets.UTF_8));
    return api.client().send(api.request("/api/v1/apps").header("Content-Type", "multipart/form-data; boundary=" + boundary)
        .timeout(Duration.ofSeconds(60)).POST(HttpRequest.BodyPublishers.ofByteArray(body.toByteArray())).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static byte[] tarGz(Map<String, String> files) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (TarArchiveOutputStream tar = new TarArchiveOutputStream(new GZIPOutputStream(bytes))) {
      for (Map.Entry<String, String> file : files.entrySet()) {
        byte[] content = file.getValue().getBytes(StandardCharsets.UTF_8);
        TarArchiveEntry entry = new TarArchiveEntry(file.getKey());
        entry.setSize(content.length);
        tar.putArchiveEntry(entry);
        tar.write(content);
        tar.closeArchiveEntry();
      }
    }
    return bytes.toByteArray();
  }
}
