package io.dcloud.gateway;

import java.io.ByteArrayOutputStream;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/** {@code POST /api/v1/models} as a client sends it: a multipart/form-data body of named parts. */
public final class ModelUploads {
  /** A contract that defines both functions. */
  public static final String CONTRACT = """
      def preprocess(request):
          return [request["x"]]


      def postprocess(prediction):
          return {"y": int(prediction)}
      """;

  public record Part(String fileName, String contentType, byte[] content) {}

  private ModelUploads() {}

  public static Api.Answer push(Api api, String fileName, byte[] model, String contract, String config, String type) {
    Map<String, Part> parts = new LinkedHashMap<>();
    parts.put("model", new Part(fileName, "application/octet-stream", model));
    parts.put("contract", new Part("contract.py", "text/x-python", contract.getBytes(StandardCharsets.UTF_8)));
    parts.put("config", new Part("config", type, config.getBytes(StandardCharsets.UTF_8)));
    return send(api, parts);
  }

  public static Api.Answer send(Api api, Map<String, Part> parts) {
    return send(api, "/api/v1/models", parts);
  }

  /** Any multipart upload (models, apps) to {@code path}. */
  public static Api.Answer send(Api api, String path, Map<String, Part> parts) {
    String boundary = "upload-boundary-" + System.nanoTime();
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    parts.forEach((name, part) -> {
      body.writeBytes(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"" + name + "\""
          + (part.fileName() == null ? "" : "; filename=\"" + part.fileName() + "\"")
          + "\r\nContent-Type: " + part.contentType() + "\r\n\r\n").getBytes(StandardCharsets.UTF_8));
      body.writeBytes(part.content());
      body.writeBytes("\r\n".getBytes(StandardCharsets.UTF_8));
    });
    body.writeBytes(("--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
    return api.send(api.request(path).header("content-type", "multipart/form-data; boundary=" + boundary)
        .POST(HttpRequest.BodyPublishers.ofByteArray(body.toByteArray())).build());
  }
}
