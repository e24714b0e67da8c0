package io.dcloud.testing;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** {@code POST /api/v1/models} as a data scientist's client sends it: multipart model, contract, config. */
public final class ModelPush {
  private static final ObjectMapper JSON = new ObjectMapper();

  private ModelPush() {}

  /** Pushes {@code artifact} as {@code fileName} (its extension tells the runtime); the version it made. */
  public static int push(ApiSession api, String fileName, Path artifact, String contract, String config) throws Exception {
    String boundary = "model-push-" + System.nanoTime();
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    part(body, boundary, "model", fileName, "application/octet-stream", Files.readAllBytes(artifact));
    part(body, boundary, "contract", "contract.py", "text/x-python", contract.getBytes(StandardCharsets.UTF_8));
    part(body, boundary, "config", "config.json", "application/json", config.getBytes(StandardCharsets.UTF_8));
    body.writeBytes(("--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
    HttpRequest request = api.request("/api/v1/models").header("content-type", "multipart/form-data; boundary=" + boundary)
        .POST(HttpRequest.BodyPublishers.ofByteArray(body.toByteArray())).build();
    HttpResponse<String> pushed = api.client().send(request, HttpResponse.BodyHandlers.ofString());
    assertThat(pushed.statusCode()).as(pushed.body()).isEqualTo(201);
    return JSON.readTree(pushed.body()).path("version").asInt();
  }

  private static void part(ByteArrayOutputStream body, String boundary, String name, String file, String type, byte[] content) {
    body.writeBytes(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"" + name + "\"; filename=\"" + file
        + "\"\r\nContent-Type: " + type + "\r\n\r\n").getBytes(StandardCharsets.UTF_8));
    body.writeBytes(content);
    body.writeBytes("\r\n".getBytes(StandardCharsets.UTF_8));
  }
}
