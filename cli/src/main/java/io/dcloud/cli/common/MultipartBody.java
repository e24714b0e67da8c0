package io.dcloud.cli.common;

import java.io.FileNotFoundException;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * A multipart/form-data body of file parts, each streamed from its file as the request is sent
 * (never read whole): what {@code models push} and {@code apps push} upload.
 */
public final class MultipartBody {
  private final String boundary = "dcloud-" + UUID.randomUUID();
  private final List<HttpRequest.BodyPublisher> parts = new ArrayList<>();

  /** Adds part {@code name} holding {@code file}, sent as {@code fileName} of {@code type}. */
  public MultipartBody file(String name, String fileName, String type, Path file) throws FileNotFoundException {
    parts.add(text((parts.isEmpty() ? "" : "\r\n") + "--" + boundary + "\r\nContent-Disposition: form-data; name=\""
        + name + "\"; filename=\"" + fileName.replace("\"", "") + "\"\r\nContent-Type: " + type + "\r\n\r\n"));
    parts.add(HttpRequest.BodyPublishers.ofFile(file));
    return this;
  }

  public String contentType() {
    return "multipart/form-data; boundary=" + boundary;
  }

  public HttpRequest.BodyPublisher publisher() {
    List<HttpRequest.BodyPublisher> all = new ArrayList<>(parts);
    all.add(text("\r\n--" + boundary + "--\r\n"));
    return HttpRequest.BodyPublishers.concat(all.toArray(HttpRequest.BodyPublisher[]::new));
  }

  /** JSON when the file says so; YAML otherwise (which reads JSON too). */
  public static String configType(Path file) {
    return file.getFileName().toString().endsWith(".json") ? "application/json" : "application/yaml";
  }

  private static HttpRequest.BodyPublisher text(String text) {
    return HttpRequest.BodyPublishers.ofString(text, StandardCharsets.UTF_8);
  }
}
