package io.dcloud.cli;

import io.dcloud.cli.app.AppsCommand;
import io.dcloud.cli.catalog.CatalogCommand;
import io.dcloud.cli.catalog.TemplatesCommand;
import io.dcloud.cli.common.ApiClient;
import io.dcloud.cli.common.CliException;
import io.dcloud.cli.common.CliIo;
import io.dcloud.cli.common.CommandRoot;
import io.dcloud.cli.common.ExitCodes;
import io.dcloud.cli.data.DataCommand;
import io.dcloud.cli.device.DevicesCommand;
import io.dcloud.cli.device.SensorTypesCommand;
import io.dcloud.cli.env.EnvCommand;
import io.dcloud.cli.identity.AuditCommand;
import io.dcloud.cli.identity.GroupsCommand;
import io.dcloud.cli.identity.UsersCommand;
import io.dcloud.cli.job.JobsCommand;
import io.dcloud.cli.model.ModelsCommand;
import io.dcloud.cli.node.NodesCommand;
import io.dcloud.cli.node.VolumesCommand;
import io.dcloud.cli.service.ServicesCommand;
import io.dcloud.cli.usage.UsageCommand;
import java.net.URI;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/** {@code dcloud}: the root, which knows the streams and how to reach the gateway for every subcommand. */
@Command(name = "dcloud", mixinStandardHelpOptions = true, scope = ScopeType.INHERIT, version = "dcloud CLI 0.1.0",
    description = "DCloud's command line: environments, datasets, models, apps, services, jobs, devices, templates, the catalog, nodes, users and their usage through the HTTP API.",
    subcommands = {
        LoginCommand.class, LogoutCommand.class, EnvCommand.class, TemplatesCommand.class, CatalogCommand.class,
        NodesCommand.class, VolumesCommand.class, UsersCommand.class, GroupsCommand.class, AuditCommand.class, UsageCommand.class,
        WatchCommand.class, DataCommand.class, ModelsCommand.class,
        ServicesCommand.class, AppsCommand.class, JobsCommand.class,
        SensorTypesCommand.class, DevicesCommand.class, HealthCommand.class, OpenApiCommand.class,
        CompletionCommand.class, CompletionNames.class},
    footer = {"", "The gateway: --api, else DCLOUD_API, else the one of 'dcloud login'.",
        "DCLOUD_TOKEN, when set, is the token used.", "",
        "Exit status: 0 ok, 1 error, 2 usage or invalid request, 3 not found,",
        "4 refused or conflict, 5 unauthenticated, 6 gateway unreachable,",
        "7 the environment failed; env exec exits with the command's status."})
final class DcloudCommand implements CommandRoot {
  private final CliIo io;
  final ConfigStore store;

  @Option(names = "--api", scope = ScopeType.INHERIT, paramLabel = "URL",
      description = "The gateway, e.g. http://localhost:8080 (default: DCLOUD_API, else the one signed in to)")
  String api;

  DcloudCommand(CliIo io) {
    this.io = io;
    this.store = ConfigStore.fromEnvironment(io.env());
  }

  @Override
  public CliIo io() {
    return io;
  }

  @Override
  public ApiClient client() {
    StoredLogin stored = store.read().orElse(null);
    URI base = gateway(stored);
    String token = io.variable("DCLOUD_TOKEN");
    // The stored token goes only to the gateway that issued it, never to another one named by --api.
    if (token == null && stored != null && stored.token() != null && base.equals(ApiClient.normalize(stored.api()))) {
      token = stored.token();
    }
    if (token == null) {
      throw new CliException(ExitCodes.UNAUTHENTICATED,
          "not signed in to " + base + ": run 'dcloud login --api " + base + " --username NAME' or set DCLOUD_TOKEN");
    }
    return new ApiClient(base, token, io.err());
  }

  /** A client of the gateway's public routes (health, the OpenAPI description): no sign-in needed, no token sent. */
  ApiClient publicClient() {
    return new ApiClient(gateway(store.read().orElse(null)), null, io.err());
  }

  URI gateway(StoredLogin stored) {
    String chosen = api != null ? api : io.variable("DCLOUD_API");
    if (chosen == null && stored != null) {
      chosen = stored.api();
    }
    if (chosen == null) {
      throw CliException.usage("which gateway? give --api URL, set DCLOUD_API, or run 'dcloud login --api URL --username NAME'");
    }
    return ApiClient.normalize(chosen);
  }
}
