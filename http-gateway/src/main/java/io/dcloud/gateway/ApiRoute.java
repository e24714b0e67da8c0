package io.dcloud.gateway;

import io.dcloud.client.protocol.DCloudProtocol;
import io.dcloud.gateway.app.AppLimits;
import io.dcloud.gateway.app.AppRoutes;
import io.dcloud.gateway.catalog.CatalogRoutes;
import io.dcloud.gateway.catalog.TemplateRoutes;
import io.dcloud.gateway.common.ApiPaths;
import io.dcloud.gateway.common.BrowserSafety;
import io.dcloud.gateway.common.CallerAttribute;
import io.dcloud.gateway.common.ClientAddress;
import io.dcloud.gateway.common.ClusterAsks;
import io.dcloud.gateway.common.GatewayBackends;
import io.dcloud.gateway.common.GatewaySettings;
import io.dcloud.gateway.common.JsonYaml;
import io.dcloud.gateway.common.Problem;
import io.dcloud.gateway.common.ProblemExceptions;
import io.dcloud.gateway.common.ProblemRejections;
import io.dcloud.gateway.common.RequestBodies;
import io.dcloud.gateway.common.RuntimeChecks;
import io.dcloud.gateway.dataset.DatasetRoutes;
import io.dcloud.gateway.device.DeviceCommandRoutes;
import io.dcloud.gateway.device.DeviceRegistryAsks;
import io.dcloud.gateway.device.DeviceRoutes;
import io.dcloud.gateway.device.ReadingRoutes;
import io.dcloud.gateway.device.SensorTypeRoutes;
import io.dcloud.gateway.environment.ClientService;
import io.dcloud.gateway.environment.EnvironmentCreation;
import io.dcloud.gateway.environment.EnvironmentExec;
import io.dcloud.gateway.environment.EnvironmentFiles;
import io.dcloud.gateway.environment.EnvironmentRoutes;
import io.dcloud.gateway.environment.EnvironmentShell;
import io.dcloud.gateway.environment.EnvironmentStreamRoutes;
import io.dcloud.gateway.event.EventRoutes;
import io.dcloud.gateway.identity.AuditRoutes;
import io.dcloud.gateway.usage.UsageRoutes;
import io.dcloud.gateway.identity.AuthRoutes;
import io.dcloud.gateway.identity.Authentication;
import io.dcloud.gateway.identity.GatewayIdentity;
import io.dcloud.gateway.identity.GroupRoutes;
import io.dcloud.gateway.identity.Quotas;
import io.dcloud.gateway.identity.UserRoutes;
import io.dcloud.gateway.job.JobRoutes;
import io.dcloud.gateway.model.ModelLimits;
import io.dcloud.gateway.model.ModelRoutes;
import io.dcloud.gateway.node.NodeRoutes;
import io.dcloud.gateway.service.BindingRoutes;
import io.dcloud.gateway.service.ModelDeployRoutes;
import io.dcloud.gateway.service.ServiceCallRoutes;
import io.dcloud.gateway.service.ServiceRoutes;
import java.time.Clock;
import java.util.Map;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;

/** The whole API: the feature routes under {@code /api/v1}, inside the error handling every answer goes through. */
final class ApiRoute extends AllDirectives {
  private final GatewaySettings settings;
  private final JsonYaml codec;
  private final Authentication authentication;
  private final AuthRoutes auth;
  private final BrowserSafety browserSafety;
  private final OpenApiRoute openApi;
  private final Behavior<DCloudProtocol.Request> clientService;
  private final ConsoleRoute console = new ConsoleRoute();
  /** Every feature behind sign-in, built once: each takes the caller after its path matched. */
  private final Route features;

  ApiRoute(ActorSystem<?> system, GatewayBackends backends, GatewaySettings settings, GatewayIdentity identity) {
    this.settings = settings;
    this.codec = JsonYaml.create(system);
    Clock clock = Clock.systemUTC();
    ClusterAsks asks = new ClusterAsks(system, backends, settings.askTimeout());
    RequestBodies bodies = new RequestBodies(codec);
    Quotas quotas = new Quotas(asks, identity.settings());
    EnvironmentCreation creation = new EnvironmentCreation(asks, codec, settings, quotas, identity.audit());
    EnvironmentRoutes environments = new EnvironmentRoutes(
        asks, codec, bodies, creation, identity.audit(), new EnvironmentStreamRoutes(asks, codec, settings),
        new EnvironmentExec(asks, codec, bodies, settings, system.settings().config(), identity.audit()),
        settings.readAsks(), quotas, settings.secrets(), settings.proxy(),
        new EnvironmentShell(system, asks, codec, settings.specLimits(), identity.audit()),
        new EnvironmentFiles(system, asks, codec, system.settings().config(), identity.audit()));
    TemplateRoutes templates = new TemplateRoutes(asks, codec, bodies, creation, settings.defaultResources(), settings.specLimits(),
        identity.audit());
    CatalogRoutes catalog = new CatalogRoutes(asks, codec, bodies, identity.audit());
    NodeRoutes nodes = new NodeRoutes(asks, codec, clock, identity.audit());
    ClientAddress clientAddress = new ClientAddress(settings.trustedProxies());
    this.authentication = new Authentication(identity.tokens(), identity.settings(), clock, clientAddress);
    this.auth = new AuthRoutes(system, identity, codec, bodies, authentication, clock, settings.askTimeout(),
        clientAddress);
    UserRoutes users = new UserRoutes(asks, identity, quotas, codec, bodies, clock,
        system.settings().config().getDuration("dcloud.http.user-deletion-recheck-after"));
    GroupRoutes groups = new GroupRoutes(asks, identity, codec, bodies);
    AuditRoutes audit = new AuditRoutes(identity.audit(), codec, clock);
    UsageRoutes usage = new UsageRoutes(backends.usage(), codec, clock);
    this.browserSafety = new BrowserSafety(settings.allowedOrigins(), settings.allowedHosts());
    EventRoutes events = new EventRoutes(system, backends, codec, settings);
    DatasetRoutes datasets = new DatasetRoutes(system, asks, codec, bodies, system.settings().config(),
        identity.audit(), settings.askTimeout());
    ModelRoutes models = new ModelRoutes(system, datasets,
        new RuntimeChecks(asks, settings.defaultResources(), settings.specLimits()),
        ModelLimits.fromConfig(system.settings().config()), codec, identity.audit());
    ServiceRoutes services = new ServiceRoutes(asks, backends.services(), codec, bodies, creation, quotas, identity.audit());
    AppRoutes apps = new AppRoutes(system, datasets, services, creation,
        new RuntimeChecks(asks, settings.defaultResources(), settings.specLimits()),
        AppLimits.fromConfig(system.settings().config()), codec, identity.audit());
    ModelDeployRoutes deployments = new ModelDeployRoutes(models, datasets.access(), services,
        ModelLimits.fromConfig(system.settings().config()), bodies, identity.audit());
    ServiceCallRoutes serviceCalls = ServiceCallRoutes.create(system, asks, backends.services(), settings, identity, bodies, codec);
    JobRoutes jobs = new JobRoutes(asks, backends.jobs(), backends.services(), datasets.access(), codec, bodies,
        identity.audit());
    this.openApi = new OpenApiRoute(codec, identity.settings().sessionCookie(), identity.settings().csrfHeader());
    this.clientService = ClientService.create(authentication, asks, creation, codec, settings);
    DeviceRegistryAsks registry = new DeviceRegistryAsks(asks);
    SensorTypeRoutes sensorTypes = new SensorTypeRoutes(registry, codec, bodies, identity.audit(), clock);
    DeviceRoutes devices = new DeviceRoutes(registry, backends.devices(), codec, bodies, identity.audit(), clock);
    ReadingRoutes readings = new ReadingRoutes(registry, backends.devices(), codec, clock, system.settings().config(), settings);
    DeviceCommandRoutes deviceCommands = new DeviceCommandRoutes(asks, registry, codec, bodies, identity.audit(), clock);
    BindingRoutes bindings = new BindingRoutes(
        services, registry, codec, bodies, identity.audit(), clock, backends.devices().brokerEnabled());
    this.features = concat(
        environments.route(),
        templates.route(),
        catalog.route(),
        nodes.route(),
        nodes.volumes(),
        users.route(),
        groups.route(),
        auth.route(),
        audit.route(),
        usage.route(),
        events.route(),
        datasets.route(),
        models.route(),
        services.route(),
        apps.route(),
        deployments.route(),
        serviceCalls.route(),
        sensorTypes.route(),
        devices.route(),
        readings.route(),
        deviceCommands.route(),
        bindings.route(),
        jobs.route());
  }

  /** The same checks and code for other services over actor messaging (see {@link ClientService}). */
  Behavior<DCloudProtocol.Request> clientService() {
    return clientService;
  }

  /**
   * The size limit, the exception and rejection handlers and the timeout answer wrap everything,
   * so no request gets anything but a 2xx or a problem+json.
   */
  public Route route() {
    return withRequestTimeoutResponse(
        request -> Problem.of(Problem.Type.CLUSTER_UNAVAILABLE, "the gateway could not answer in time; try again")
            .toResponse(),
        () -> withSizeLimit(settings.maxBodyBytes(), () ->
            handleExceptions(ProblemExceptions.handler(settings.askTimeout()), () ->
                handleRejections(ProblemRejections.handler(), () ->
                    browserSafety.checked(() -> concat(
                    // Outside /api/v1: the console's files are public and hold no API data (see ConsoleRoute).
                    console.route(),
                    pathPrefix(ApiPaths.API, () -> pathPrefix(ApiPaths.VERSION, () -> concat(
                        health(),
                        openApi.route(),
                        auth.publicRoute(),
                        // Everything else needs a signed-in caller: 401 before any route is even matched.
                        authentication.authenticated(caller ->
                            mapRequest(request -> CallerAttribute.attach(request, caller), () -> features)))))))))));
  }

  private Route health() {
    return path(ApiPaths.HEALTH, () -> get(() -> complete(codec.jsonResponse(StatusCodes.OK, Map.of("status", "UP")))));
  }
}
