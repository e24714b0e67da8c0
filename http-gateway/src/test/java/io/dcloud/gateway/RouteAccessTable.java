package io.dcloud.gateway;

import static io.dcloud.gateway.RouteAccessCaller.ADMIN;
import static io.dcloud.gateway.RouteAccessCaller.APP_DEVELOPER;
import static io.dcloud.gateway.RouteAccessCaller.CONFIGURER;
import static io.dcloud.gateway.RouteAccessCaller.DATA_SCIENTIST;
import static io.dcloud.gateway.RouteAccessCaller.END_USER;
import static io.dcloud.gateway.RouteAccessCaller.OTHER_DATA_SCIENTIST;
import static io.dcloud.gateway.RouteAccessWorld.BUILT_IN;
import static io.dcloud.gateway.RouteAccessWorld.DEVICE;
import static io.dcloud.gateway.RouteAccessWorld.ENVIRONMENT;
import static io.dcloud.gateway.RouteAccessWorld.LAB;
import static io.dcloud.gateway.RouteAccessWorld.SENSOR_TYPE;
import static io.dcloud.gateway.RouteAccessWorld.SERVICE;
import static io.dcloud.gateway.RouteAccessWorld.TEMPLATE_DOCUMENT;

import io.dcloud.gateway.RouteAccessRow.Cell;
import java.util.List;
import java.util.stream.Stream;

/**
 * Who may do what, route by route: the table {@link RouteAccessMatrixTest} asks cell by cell and
 * OpenApiDocumentTest holds the API's description to. The things named in it are
 * {@link RouteAccessWorld}'s.
 */
final class RouteAccessTable {
  private static final String EXEC = "{\"command\": [\"true\"]}";
  private static final String RESIZE = "{\"resources\": {\"cpu\": 3}}";

  private RouteAccessTable() {}

  private static RouteAccessRow row(String method, String path) {
    return new RouteAccessRow(method, path);
  }

  /** The whole API. Paths are under /api/v1; {placeholders} are filled in per cell by {@link RouteAccessWorld#resolve}. */
  static List<RouteAccessRow> routes() {
    return List.of(
        row("GET", "/health").allow(200, RouteAccessCaller.values()),
        row("GET", "/openapi.json").allow(200, RouteAccessCaller.values()),
        row("POST", "/auth/login").body("{\"username\": \"alice\", \"password\": \"password-of-alice\"}")
            .allow(200, RouteAccessCaller.values()),
        row("POST", "/auth/logout").ownSession().otherwise(204),
        row("GET", "/no-such-route").otherwise(404),
        row("GET", "/").console().otherwise(200),
        row("GET", "/console/app.js").console().otherwise(200),
        row("GET", "/console/no-such-file.js").console().otherwise(404),

        row("POST", "/environments").body(ENVIRONMENT)
            .allow(202, DATA_SCIENTIST, OTHER_DATA_SCIENTIST, APP_DEVELOPER, ADMIN).otherwise(403),
        row("POST", "/environments?dryRun=true").body(ENVIRONMENT)
            .allow(200, DATA_SCIENTIST, OTHER_DATA_SCIENTIST, APP_DEVELOPER, ADMIN).otherwise(403),
        row("GET", "/environments").otherwise(200),
        row("GET", "/environments/{env}").allow(200, DATA_SCIENTIST, ADMIN).otherwise(404),
        row("GET", "/environments/{unknown-env}").otherwise(404),
        row("DELETE", "/environments/{fresh-env}").allow(202, DATA_SCIENTIST, ADMIN).otherwise(404),
        row("POST", "/environments/{fresh-env}/stop").allow(202, DATA_SCIENTIST, ADMIN).otherwise(404),
        row("POST", "/environments/{fresh-env}/start").allow(202, DATA_SCIENTIST, ADMIN).otherwise(404),
        row("POST", "/environments/{fresh-env}/restart").allow(202, DATA_SCIENTIST, ADMIN).otherwise(404),
        // Waiting for a place (no worker here): the entity's refusal, past the owner's check.
        row("POST", "/environments/{fresh-env}/resize").body(RESIZE).allow(409, DATA_SCIENTIST, ADMIN).otherwise(404),
        row("GET", "/environments/{env}/dockerfile").allow(200, DATA_SCIENTIST, ADMIN).otherwise(404),
        row("GET", "/environments/{env}/manifest?format=kubernetes").allow(200, DATA_SCIENTIST, ADMIN).otherwise(404),
        row("GET", "/environments/{env}/events").streaming().allow(200, DATA_SCIENTIST, ADMIN).otherwise(404),
        // No worker runs it: the owner hears that there are no logs or stats yet (409), others 404.
        row("GET", "/environments/{env}/logs").allow(409, DATA_SCIENTIST, ADMIN).otherwise(404),
        row("GET", "/environments/{env}/stats").allow(409, DATA_SCIENTIST, ADMIN).otherwise(404),
        row("GET", "/environments/{env}/sharing").allow(200, DATA_SCIENTIST, ADMIN).otherwise(404),
        // Not RUNNING (no worker): the owner and admins hear so (409), others 404.
        row("POST", "/environments/{env}/exec").body(EXEC).allow(409, DATA_SCIENTIST, ADMIN).otherwise(404),
        // A plain GET of the WebSocket route: who may is told that it expects an upgrade (400), others 404.
        row("GET", "/environments/{env}/exec").allow(400, DATA_SCIENTIST, ADMIN).otherwise(404),
        row("PUT", "/environments/{env}/files?path=/tmp/a.txt").body(EXEC).allow(409, DATA_SCIENTIST, ADMIN).otherwise(404),
        row("GET", "/environments/{env}/files?path=/tmp").allow(409, DATA_SCIENTIST, ADMIN).otherwise(404),
        // Its owner alone reads its secrets: an admin sees it, so 403, not 404.
        row("GET", "/environments/{env}/secrets").allow(200, DATA_SCIENTIST).allow(403, ADMIN).otherwise(404),
        row("GET", "/environments/{shared-env}/secrets")
            .allow(200, DATA_SCIENTIST).allow(403, OTHER_DATA_SCIENTIST, ADMIN).otherwise(404),
        row("PUT", "/environments/{fresh-env}/sharing").body("{\"groups\": [\"" + LAB + "\"]}")
            .allow(200, DATA_SCIENTIST, ADMIN).otherwise(404),
        // Shared with bob's group: he sees it and its feeds, and may not change it (403: he knows it exists).
        row("GET", "/environments/{shared-env}").allow(200, DATA_SCIENTIST, OTHER_DATA_SCIENTIST, ADMIN).otherwise(404),
        row("GET", "/environments/{shared-env}/logs").allow(409, DATA_SCIENTIST, OTHER_DATA_SCIENTIST, ADMIN).otherwise(404),
        row("GET", "/environments/{shared-env}/sharing")
            .allow(200, DATA_SCIENTIST, OTHER_DATA_SCIENTIST, ADMIN).otherwise(404),
        row("POST", "/environments/{fresh-shared-env}/stop")
            .allow(202, DATA_SCIENTIST, ADMIN).allow(403, OTHER_DATA_SCIENTIST).otherwise(404),
        row("POST", "/environments/{fresh-shared-env}/resize").body(RESIZE)
            .allow(409, DATA_SCIENTIST, ADMIN).allow(403, OTHER_DATA_SCIENTIST).otherwise(404),
        row("POST", "/environments/{fresh-shared-env}/restart")
            .allow(202, DATA_SCIENTIST, ADMIN).allow(403, OTHER_DATA_SCIENTIST).otherwise(404),
        row("DELETE", "/environments/{fresh-shared-env}")
            .allow(202, DATA_SCIENTIST, ADMIN).allow(403, OTHER_DATA_SCIENTIST).otherwise(404),
        // Seeing it through a group is not running commands in it.
        row("POST", "/environments/{shared-env}/exec").body(EXEC)
            .allow(409, DATA_SCIENTIST, ADMIN).allow(403, OTHER_DATA_SCIENTIST).otherwise(404),
        row("GET", "/environments/{shared-env}/exec").allow(400, DATA_SCIENTIST, ADMIN).allow(403, OTHER_DATA_SCIENTIST)
            .otherwise(404),
        row("PUT", "/environments/{shared-env}/files?path=/tmp/a.txt").body(EXEC)
            .allow(409, DATA_SCIENTIST, ADMIN).allow(403, OTHER_DATA_SCIENTIST).otherwise(404),
        row("GET", "/environments/{shared-env}/files?path=/tmp")
            .allow(409, DATA_SCIENTIST, ADMIN).allow(403, OTHER_DATA_SCIENTIST).otherwise(404),
        row("PUT", "/environments/{fresh-shared-env}/sharing").body("{\"groups\": []}")
            .allow(200, DATA_SCIENTIST, ADMIN).allow(403, OTHER_DATA_SCIENTIST).otherwise(404),
        // The proxy into it: not RUNNING (no worker), so 409 for whoever may open it; a group member may not (403).
        row("GET", "/environments/{env}/proxy/8888/tree").onProxy().allow(409, DATA_SCIENTIST, ADMIN).otherwise(404),
        row("POST", "/environments/{env}/proxy/8888/api").onProxy().body("{}")
            .allow(409, DATA_SCIENTIST, ADMIN).otherwise(404),
        row("PUT", "/environments/{shared-env}/proxy/8888/api").onProxy().body("{}")
            .allow(409, DATA_SCIENTIST, ADMIN).allow(403, OTHER_DATA_SCIENTIST).otherwise(404),
        row("DELETE", "/environments/{shared-env}/proxy/8888/api").onProxy()
            .allow(409, DATA_SCIENTIST, ADMIN).allow(403, OTHER_DATA_SCIENTIST).otherwise(404),

        row("GET", "/templates").otherwise(200),
        row("POST", "/templates").body("{\"name\": \"{new-template}\", " + TEMPLATE_DOCUMENT.substring(1))
            .allow(403, END_USER).otherwise(201),
        row("GET", "/templates/{template}").allow(200, DATA_SCIENTIST, ADMIN).otherwise(404),
        row("PUT", "/templates/{template}").body(TEMPLATE_DOCUMENT)
            .allow(200, DATA_SCIENTIST, ADMIN).allow(403, END_USER).otherwise(404),
        row("PUT", "/templates/{new-template}").body(TEMPLATE_DOCUMENT).allow(403, END_USER).otherwise(201),
        row("DELETE", "/templates/{fresh-template}").allow(204, DATA_SCIENTIST, ADMIN).otherwise(404),
        row("POST", "/templates/{template}/environments")
            .allow(202, DATA_SCIENTIST, ADMIN).allow(403, END_USER, CONFIGURER).otherwise(404),
        row("GET", "/templates/" + BUILT_IN).otherwise(200),
        row("PUT", "/templates/" + BUILT_IN).body("{built-in-document}").allow(200, CONFIGURER, ADMIN).otherwise(403),
        // Configurers and admins may delete a built-in template: not done here, it would be gone for the other cells.
        new RouteAccessRow("DELETE", "/templates/" + BUILT_IN).allow(403, END_USER, DATA_SCIENTIST, OTHER_DATA_SCIENTIST, APP_DEVELOPER),
        row("POST", "/templates/" + BUILT_IN + "/environments").allow(403, END_USER, CONFIGURER).otherwise(202),

        row("GET", "/catalog").otherwise(200),
        row("PUT", "/catalog").body("{catalog-document}").allow(200, CONFIGURER, ADMIN).otherwise(403),

        row("GET", "/nodes").otherwise(200),
        // Everyone signed in follows the changes they may see.
        row("GET", "/events").streaming().otherwise(200),
        // No worker exists: those who may operate nodes hear that this one does not.
        row("GET", "/nodes/{node}").otherwise(404),
        row("POST", "/nodes/{node}/cordon").allow(404, CONFIGURER, ADMIN).otherwise(403),
        row("POST", "/nodes/{node}/uncordon").allow(404, CONFIGURER, ADMIN).otherwise(403),
        row("POST", "/nodes/{node}/drain").allow(404, CONFIGURER, ADMIN).otherwise(403),
        row("GET", "/nodes/{node}/volumes").allow(404, CONFIGURER, ADMIN).otherwise(403),
        row("DELETE", "/nodes/{node}/volumes/dcloud-some-volume").allow(404, CONFIGURER, ADMIN).otherwise(403),
        // Each user's own volumes, on every node (none here).
        row("GET", "/volumes").otherwise(200),
        row("DELETE", "/volumes/{node}/dcloud-some-volume").otherwise(404),

        row("GET", "/users/me").otherwise(200),
        row("GET", "/users/me/tokens").otherwise(200),
        row("POST", "/users/me/tokens").body("{\"name\": \"matrix\"}").otherwise(201),
        row("DELETE", "/users/me/tokens/{own-token}").otherwise(204),
        row("DELETE", "/users/me/tokens/{fresh-token}").allow(204, DATA_SCIENTIST).otherwise(404),
        row("GET", "/users").allow(200, ADMIN).otherwise(403),
        row("POST", "/users").body("{\"username\": \"{new-user}\", \"password\": \"password-123\", \"roles\": [\"end-user\"]}")
            .allow(201, ADMIN).otherwise(403),
        row("GET", "/users/alice").allow(200, ADMIN).otherwise(403),
        row("PATCH", "/users/{fresh-user}").body("{\"roles\": [\"app-developer\"]}").allow(200, ADMIN).otherwise(403),
        row("DELETE", "/users/{fresh-user}").allow(200, ADMIN).otherwise(403),
        row("PUT", "/users/{fresh-user}/quota").body("{\"cpu\": \"1\"}").allow(200, ADMIN).otherwise(403),
        row("DELETE", "/users/{fresh-user}/quota").allow(200, ADMIN).otherwise(403),
        row("GET", "/groups").otherwise(200),
        row("POST", "/groups").body("{\"name\": \"{new-group}\", \"members\": [\"alice\"]}").allow(201, ADMIN).otherwise(403),
        row("GET", "/groups/" + LAB).allow(200, DATA_SCIENTIST, OTHER_DATA_SCIENTIST, ADMIN).otherwise(404),
        // Fresh groups have no members: changing or deleting one signs no caller of the other cells out.
        row("PATCH", "/groups/{fresh-group}").body("{\"members\": []}").allow(200, ADMIN).otherwise(403),
        row("DELETE", "/groups/{fresh-group}").allow(204, ADMIN).otherwise(403),
        row("GET", "/audit").allow(200, ADMIN).otherwise(403),
        // Usage: each user their own; another's, and every owner's totals, admins only.
        row("GET", "/usage").otherwise(200),
        row("GET", "/usage?owner=alice").allow(200, DATA_SCIENTIST, ADMIN).otherwise(403),
        row("GET", "/usage/owners").allow(200, ADMIN).otherwise(403),

        // Datasets: data scientists and admins upload; the owner, its readers (LAB) and admins read.
        row("GET", "/datasets?prefix=matrix/").otherwise(200),
        row("PUT", "/datasets/matrix/db/{new-dataset}").body("{}")
            .allow(201, DATA_SCIENTIST, OTHER_DATA_SCIENTIST, ADMIN).otherwise(403),
        row("PUT", "/datasets/matrix/db/owned").body("{}").allow(201, DATA_SCIENTIST, ADMIN).allow(404, OTHER_DATA_SCIENTIST)
            .otherwise(403),
        row("PUT", "/datasets/matrix/db/shared").body("{}").allow(201, DATA_SCIENTIST, ADMIN).otherwise(403),
        row("GET", "/datasets/matrix/db/owned").allow(200, DATA_SCIENTIST, ADMIN).otherwise(404),
        row("GET", "/datasets/matrix/db/shared?version=1")
            .allow(200, DATA_SCIENTIST, OTHER_DATA_SCIENTIST, ADMIN).otherwise(404),
        row("GET", "/datasets/matrix/db/unknown").otherwise(404),
        row("GET", "/datasets/matrix/db/owned/versions").allow(200, DATA_SCIENTIST, ADMIN).otherwise(404),
        row("GET", "/datasets/matrix/db/shared/versions")
            .allow(200, DATA_SCIENTIST, OTHER_DATA_SCIENTIST, ADMIN).otherwise(404),
        row("DELETE", "/datasets/matrix/db/{fresh-dataset}").allow(200, DATA_SCIENTIST, ADMIN).otherwise(404),
        row("DELETE", "/datasets/matrix/db/{fresh-shared-dataset}?version=1")
            .allow(200, DATA_SCIENTIST, ADMIN).allow(403, OTHER_DATA_SCIENTIST).otherwise(404),
        row("PUT", "/datasets/matrix/db/{fresh-dataset}/readers").body("{\"users\": [\"erin\"]}")
            .allow(200, DATA_SCIENTIST, ADMIN).otherwise(404),
        row("PUT", "/datasets/matrix/db/{fresh-shared-dataset}/readers").body("{\"groups\": []}")
            .allow(200, DATA_SCIENTIST, ADMIN).allow(403, OTHER_DATA_SCIENTIST).otherwise(404),

        // Models: data scientists and admins upload (multipart: a JSON body is 415); a model is its bundle dataset.
        row("POST", "/models").body("{}").allow(415, DATA_SCIENTIST, OTHER_DATA_SCIENTIST, ADMIN).otherwise(403),
        row("GET", "/models").otherwise(200),
        row("GET", "/models/matrix-owned").allow(200, DATA_SCIENTIST, ADMIN).otherwise(404),
        row("GET", "/models/matrix-shared").allow(200, DATA_SCIENTIST, OTHER_DATA_SCIENTIST, ADMIN).otherwise(404),
        row("GET", "/models/matrix-unknown").otherwise(404),
        // Apps: app developers and admins push (multipart: a JSON body is 415); an app is its source dataset.
        row("POST", "/apps").body("{}").allow(415, APP_DEVELOPER, ADMIN).otherwise(403),
        row("GET", "/apps").otherwise(200),
        row("GET", "/apps/matrix-app").allow(200, APP_DEVELOPER, ADMIN).otherwise(404),
        row("GET", "/apps/matrix-unknown").otherwise(404),
        // Services: those who create environments create them; the owner and admins see and change one;
        // end users, who call them and bind devices to apps, see them too.
        row("GET", "/services").otherwise(200),
        row("POST", "/services").body(SERVICE.replace("{name}", "{new-service}"))
            .allow(201, DATA_SCIENTIST, OTHER_DATA_SCIENTIST, APP_DEVELOPER, ADMIN).otherwise(403),
        row("GET", "/services/{fresh-service}").allow(200, DATA_SCIENTIST, END_USER, ADMIN).otherwise(404),
        row("PATCH", "/services/{fresh-service}").body("{\"replicas\": 2}").allow(200, DATA_SCIENTIST, ADMIN).otherwise(404),
        row("GET", "/services/{fresh-service}/definition").allow(200, DATA_SCIENTIST, ADMIN).otherwise(404),
        // A definition applied (the same again: nothing to roll); another creator's name is taken.
        row("PUT", "/services/{fresh-service}").body(SERVICE.replace("\"name\": \"{name}\", ", ""))
            .allow(200, DATA_SCIENTIST, ADMIN).allow(409, OTHER_DATA_SCIENTIST, APP_DEVELOPER).otherwise(403),
        row("POST", "/services/{fresh-service}/restart").allow(202, DATA_SCIENTIST, ADMIN).otherwise(404),
        row("DELETE", "/services/{fresh-service}").allow(202, DATA_SCIENTIST, ADMIN).otherwise(404),
        row("PUT", "/services/{fresh-model-service}/batching").body("{\"max-size\": 8, \"max-wait-ms\": 5}")
            .allow(200, DATA_SCIENTIST, ADMIN).otherwise(404),
        row("PUT", "/services/{fresh-service}/autoscaling").body("{\"min-replicas\": 1, \"max-replicas\": 2}")
            .allow(200, DATA_SCIENTIST, ADMIN).otherwise(404),
        row("DELETE", "/services/{fresh-service}/autoscaling").allow(200, DATA_SCIENTIST, ADMIN).otherwise(404),
        // Deploying a model: its owner and admins; a reader may see it, not deploy it.
        row("POST", "/models/{fresh-model}/deploy").allow(201, DATA_SCIENTIST, ADMIN).otherwise(404),
        row("POST", "/models/{fresh-shared-model}/deploy").allow(201, DATA_SCIENTIST, ADMIN).allow(403, OTHER_DATA_SCIENTIST)
            .otherwise(404),
        // Calling one: its owner, admins and end users (the matrix's is an app, with no replica ready: no worker here).
        row("POST", "/services/{fresh-service}/predict").body("{\"instances\": [1]}")
            .allow(409, DATA_SCIENTIST, END_USER, ADMIN).otherwise(404),
        row("GET", "/services/{fresh-service}/call/ready").allow(503, DATA_SCIENTIST, END_USER, ADMIN).otherwise(404),
        row("POST", "/services/{fresh-service}/call/ready").body("{}")
            .allow(503, DATA_SCIENTIST, END_USER, ADMIN).otherwise(404),
        row("PUT", "/services/{fresh-service}/call/ready").body("{}")
            .allow(503, DATA_SCIENTIST, END_USER, ADMIN).otherwise(404),
        row("DELETE", "/services/{fresh-service}/call/ready").allow(503, DATA_SCIENTIST, END_USER, ADMIN).otherwise(404),
        row("GET", "/services/{fresh-service}/stats").allow(200, DATA_SCIENTIST, ADMIN).otherwise(404),
        // Jobs: whoever may change the model service (and read the input) submits; someone else's service is 404.
        // No worker runs here: a job's service has no ready replica, so it stays RUNNING (output 409, cancel 200).
        row("GET", "/jobs").otherwise(200),
        row("POST", "/jobs").body("{\"service\": \"{fresh-model-service}\", \"input\": {\"dataset\": \"{fresh-records}\"}}")
            .allow(202, DATA_SCIENTIST, ADMIN).otherwise(404),
        row("GET", "/jobs/{fresh-job}").allow(200, DATA_SCIENTIST, ADMIN).otherwise(404),
        row("GET", "/jobs/{fresh-job}/output").allow(409, DATA_SCIENTIST, ADMIN).otherwise(404),
        row("DELETE", "/jobs/{fresh-job}").allow(200, DATA_SCIENTIST, ADMIN).otherwise(404),
        row("GET", "/jobs/{unknown-job}").otherwise(404),
        // Sensor types and devices: configurers and admins write; everyone signed in reads.
        row("GET", "/sensor-types").otherwise(200),
        row("POST", "/sensor-types").body(SENSOR_TYPE.replace("{name}", "{new-sensor-type}"))
            .allow(201, CONFIGURER, ADMIN).otherwise(403),
        row("GET", "/sensor-types/matrix-thermo").otherwise(200),
        row("DELETE", "/sensor-types/{fresh-sensor-type}").allow(204, CONFIGURER, ADMIN).otherwise(403),
        row("GET", "/devices?site=matrix").otherwise(200),
        row("GET", "/devices/broker").otherwise(200),
        row("GET", "/devices/matrix-t").otherwise(200),
        row("GET", "/devices/no-such-device").otherwise(404),
        row("POST", "/devices").body(DEVICE.replace("{id}", "{new-device}")).allow(201, CONFIGURER, ADMIN).otherwise(403),
        row("DELETE", "/devices/{fresh-device}").allow(204, CONFIGURER, ADMIN).otherwise(403),
        row("POST", "/devices/{fresh-device}/disable").allow(200, CONFIGURER, ADMIN).otherwise(403),
        row("POST", "/devices/{fresh-device}/enable").allow(200, CONFIGURER, ADMIN).otherwise(403),
        row("POST", "/devices/{fresh-device}/credentials").allow(200, CONFIGURER, ADMIN).otherwise(403),
        row("GET", "/devices/matrix-t/readings").otherwise(200),
        row("GET", "/devices/matrix-t/readings/stream").streaming().otherwise(200),
        row("POST", "/devices/matrix-v/commands").body("{\"name\": \"close\"}").allow(202, CONFIGURER, ADMIN)
            .otherwise(403),
        row("GET", "/devices/matrix-v/commands").otherwise(200),
        row("GET", "/devices/matrix-v/commands/no-such-command").otherwise(404),
        // Bindings: the service's callers (owner, admins, end users); the matrix's service declares no
        // device types, so binding it is a 422 for them and the 404 of a missing service for the others.
        row("POST", "/services/{fresh-service}/bindings").body("{\"devices\": [\"matrix-t\"]}")
            .allow(422, DATA_SCIENTIST, END_USER, ADMIN).otherwise(404),
        row("GET", "/services/{fresh-service}/bindings").allow(200, DATA_SCIENTIST, END_USER, ADMIN).otherwise(404),
        row("DELETE", "/services/{fresh-service}/bindings/no-such-binding").otherwise(404));
  }

  /** Every row against every caller it names. */
  static Stream<Cell> cells() {
    return routes().stream().flatMap(row -> row.expected.entrySet().stream()
        .map(cell -> new Cell(row, cell.getKey(), cell.getValue())));
  }
}
