package io.dcloud.app;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The service config the service tests push: busybox httpd replicas on the tiny OS, so they start
 * in seconds, serving a one-line page on the published port 8000, which is also their readiness path "/".
 */
final class BusyboxWebService {
  private static final ObjectMapper JSON = new ObjectMapper();

  private BusyboxWebService() {}

  /** The app service name with replicas serving page; a test may add to it (its bindings) before sending it. */
  static ObjectNode config(String name, int replicas, String page) {
    ObjectNode environment = JSON.createObjectNode().put("os", "tiny");
    environment.putArray("languages").addObject().put("language-name", "shell").putArray("libraries");
    environment.putObject("resources").put("ram", "64M").put("cpu", "0.25").put("gpu", "0");
    environment.putArray("port-publish").addObject().putObject("internal").put("ports", 8000).put("protocol", "tcp");
    environment.putArray("command").add("sh").add("-c")
        .add("mkdir -p /tmp/www && echo " + page + " > /tmp/www/index.html && exec httpd -f -p 8000 -h /tmp/www");
    ObjectNode service = JSON.createObjectNode().put("name", name).put("kind", "app").put("port", 8000)
        .put("replicas", replicas);
    service.set("environment", environment);
    service.putObject("readiness").put("path", "/");
    return service;
  }

  /**
   * As {@link #config}, its replicas also answering {@code GET /cgi-bin/slow} after {@code seconds}
   * (its headers too: the gateway counts a call in progress until its answer starts): a call that
   * stays in progress, as a model's predict on real work does.
   */
  static ObjectNode withSlowPage(String name, int replicas, int seconds) {
    ObjectNode service = config(name, replicas, "ok");
    ArrayNode command = (ArrayNode) service.path("environment").path("command");
    command.set(2, command.get(2).textValue().replace("exec httpd", "mkdir -p /tmp/www/cgi-bin"
        + " && printf '#!/bin/sh\\nsleep " + seconds + "\\necho Content-Type: text/plain\\necho\\necho slow\\n'"
        + " > /tmp/www/cgi-bin/slow && chmod +x /tmp/www/cgi-bin/slow && exec httpd"));
    return service;
  }
}
