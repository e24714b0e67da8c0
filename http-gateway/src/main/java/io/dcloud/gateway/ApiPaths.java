package io.dcloud.gateway;

/** The API's URL layout, in one place so links in answers and the routes cannot drift apart. */
final class ApiPaths {
  static final String API = "api";
  static final String VERSION = "v1";
  static final String ROOT = "/" + API + "/" + VERSION;
  static final String ENVIRONMENTS = "environments";
  static final String TEMPLATES = "templates";
  static final String NODES = "nodes";
  static final String CATALOG = "catalog";
  static final String HEALTH = "health";
  static final String DATASETS = "datasets";
  static final String MODELS = "models";
  static final String APPS = "apps";

  private ApiPaths() {}

  static String environment(String id) {
    return ROOT + "/" + ENVIRONMENTS + "/" + id;
  }

  static String template(String name) {
    return ROOT + "/" + TEMPLATES + "/" + name;
  }
}
