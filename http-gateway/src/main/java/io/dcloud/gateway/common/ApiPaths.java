package io.dcloud.gateway.common;

/** The API's URL layout, in one place so links in answers and the routes cannot drift apart. */
public final class ApiPaths {
  public static final String API = "api";
  public static final String VERSION = "v1";
  public static final String ROOT = "/" + API + "/" + VERSION;
  public static final String ENVIRONMENTS = "environments";
  public static final String TEMPLATES = "templates";
  public static final String NODES = "nodes";
  public static final String VOLUMES = "volumes";
  public static final String CATALOG = "catalog";
  public static final String HEALTH = "health";
  public static final String DATASETS = "datasets";
  public static final String MODELS = "models";
  public static final String APPS = "apps";

  private ApiPaths() {}

  public static String environment(String id) {
    return ROOT + "/" + ENVIRONMENTS + "/" + id;
  }

  public static String template(String name) {
    return ROOT + "/" + TEMPLATES + "/" + name;
  }
}
