package io.dcloud.gateway;

/**
 * A route that takes a body, and a valid body for it (what the hostile ones are made from). In a
 * path, {@code {shared}} stands for the environment {@link HostileBodiesWorld} makes for the routes
 * that need one: the one whose sharing the hostile bodies try to change, and whose exec they call.
 */
enum HostileBodyTarget {
  ENVIRONMENTS_POST("POST", "/api/v1/environments", Seeds.debianEnvironment("hostile")),
  ENVIRONMENTS_DRY_RUN("POST", "/api/v1/environments?dryRun=true", Seeds.debianEnvironment("hostile-dry-run")),
  TEMPLATES_POST("POST", "/api/v1/templates", "{\"name\": \"hostile-template\", \"description\": \"d\", \"spec\": " + Documents.SPEC + "}"),
  TEMPLATE_PUT("PUT", "/api/v1/templates/hostile-put", "{\"description\": \"d\", \"spec\": " + Documents.SPEC + "}"),
  TEMPLATE_INSTANTIATE("POST", "/api/v1/templates/hostile-target/environments",
      "{\"env-name\": \"from-target\", \"resources\": {\"cpu\": \"0.5\"}}"),
  // Its valid body is the gateway's own catalog, only known once it runs (HostileBodiesWorld#catalog).
  CATALOG_PUT("PUT", "/api/v1/catalog", null),
  USERS_POST("POST", "/api/v1/users", "{\"username\": \"hostile-user\", \"password\": \"password-123\", \"roles\": [\"end-user\"]}"),
  USERS_PATCH("PATCH", "/api/v1/users/victim", "{\"password\": \"password-456\", \"roles\": [\"end-user\"], \"disabled\": false}"),
  QUOTA_PUT("PUT", "/api/v1/users/victim/quota",
      "{\"cpu\": \"1\", \"ram\": \"1G\", \"gpu\": 0, \"environments\": 1, \"storage\": \"1G\"}"),
  TOKENS_POST("POST", "/api/v1/users/me/tokens", "{\"name\": \"hostile\", \"expiresIn\": \"30d\"}"),
  GROUPS_POST("POST", "/api/v1/groups", "{\"name\": \"hostile-group\", \"members\": [\"victim\"]}"),
  GROUP_PATCH("PATCH", "/api/v1/groups/hostile-lab", "{\"members\": [\"victim\"]}"),
  SHARING_PUT("PUT", "/api/v1/environments/{shared}/sharing", "{\"groups\": [\"hostile-lab\"]}"),
  // Not RUNNING (no worker here): a valid body is a 409, a hostile one must be a 4xx too.
  EXEC_POST("POST", "/api/v1/environments/{shared}/exec",
      "{\"command\": [\"sh\", \"-c\", \"echo hi\"], \"stdin\": \"x\", \"timeout\": \"5s\"}"),
  RESIZE_POST("POST", "/api/v1/environments/{shared}/resize", "{\"resources\": {\"cpu\": 2, \"ram\": \"1G\", \"gpu\": 0}}"),
  DATASET_READERS_PUT("PUT", "/api/v1/datasets/hostile/db/readers-target/readers",
      "{\"users\": [\"victim\"], \"groups\": [\"hostile-lab\"]}"),
  SERVICES_POST("POST", "/api/v1/services", "{\"name\": \"hostile-service\", \"kind\": \"app\", \"environment\": "
      + "{\"env-name\": \"t\", \"os\": \"debian\", \"resources\": {\"ram\": \"512M\", \"cpu\": \"0.5\"}, \"port-publish\": [{\"internal\": {\"ports\": \"8080\"}}]}"
      + ", \"port\": 8080, \"replicas\": 1, \"readiness\": {\"path\": \"/\"}}"),
  SERVICE_PATCH("PATCH", "/api/v1/services/scale-target", "{\"replicas\": 1}"),
  MODEL_SERVICES_POST("POST", "/api/v1/services", "{\"name\": \"hostile-model-service\", \"kind\": \"model\", \"environment\": "
      + "{\"env-name\": \"t\", \"os\": \"debian\", \"resources\": {\"ram\": \"512M\", \"cpu\": \"0.5\"}, \"port-publish\": [{\"internal\": {\"ports\": \"8080\"}}]}"
      + ", \"port\": 8080, \"replicas\": 1, \"readiness\": {\"path\": \"/\"}, \"batching\": {\"max-size\": 8, \"max-wait-ms\": 5}}"),
  SERVICE_BATCHING_PUT("PUT", "/api/v1/services/batching-target/batching", "{\"max-size\": 8, \"max-wait-ms\": 5}"),
  SERVICE_AUTOSCALING_PUT("PUT", "/api/v1/services/batching-target/autoscaling",
      "{\"min-replicas\": 1, \"max-replicas\": 2, \"target-ongoing-requests\": 2, \"upscale-delay\": \"30s\"}"),
  MODEL_DEPLOY("POST", "/api/v1/models/deploy-target/deploy", "{\"version\": 1}"),
  // An app (and no replica ready here): a valid body is a 409, a hostile one must be a 4xx too.
  PREDICT_POST("POST", "/api/v1/services/scale-target/predict", "{\"instances\": [[1.5, 2], {\"x\": 1}]}"),
  JOBS_POST("POST", "/api/v1/jobs",
      "{\"service\": \"job-target\", \"input\": {\"dataset\": \"hostile/db/job-input\", \"version\": 1}, \"batch-size\": 10}"),
  LOGIN("POST", "/api/v1/auth/login", "{\"username\": \"victim\", \"password\": \"password-456\"}"),
  SENSOR_TYPES_POST("POST", "/api/v1/sensor-types", "{\"name\": \"hostile-type\", \"kind\": \"controller\", \"fields\": "
      + "{\"t\": {\"type\": \"number\", \"unit\": \"C\", \"min\": -5, \"max\": 5}}, \"commands\": {\"set\": {\"params\": "
      + "{\"p\": {\"type\": \"integer\", \"min\": 0, \"max\": 9}}}}}"),
  DEVICES_POST("POST", "/api/v1/devices", "{\"id\": \"hostile-device\", \"type\": \"hostile-valve\", \"location\": "
      + "{\"site\": \"s\", \"building\": \"b\", \"room\": \"r\", \"lat\": 1.5, \"lon\": 2.5}, \"metadata\": {\"k\": \"v\"}}"),
  DEVICE_COMMANDS_POST("POST", "/api/v1/devices/hostile-v/commands", "{\"name\": \"set\", \"params\": {\"p\": 3}}"),
  // scale-target declares no device types: a valid body is a 422, a hostile one must be a 4xx too.
  BINDINGS_POST("POST", "/api/v1/services/scale-target/bindings", "{\"devices\": [\"hostile-v\"]}");

  final String method;
  final String path;
  final String valid;

  HostileBodyTarget(String method, String path, String valid) {
    this.method = method;
    this.path = path;
    this.valid = valid;
  }

  /** The template spec two targets' bodies hold, in a class of its own: an enum's constants are made before its static fields. */
  private static final class Documents {
    static final String SPEC = "{\"env-name\": \"t\", \"os\": \"debian\", \"resources\": {\"ram\": \"512M\", \"cpu\": \"0.5\"}}";
  }
}
