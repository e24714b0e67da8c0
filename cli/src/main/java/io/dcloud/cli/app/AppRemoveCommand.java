package io.dcloud.cli.app;

import io.dcloud.cli.common.ApiClient;
import io.dcloud.cli.common.DurationConverter;
import io.dcloud.cli.common.ExitCodes;
import io.dcloud.cli.common.Problems;
import io.dcloud.cli.common.Subcommand;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code dcloud apps rm NAME}: an app is its service and its source (dataset {@code
 * apps/<name>/source}); both go, as Heroku's {@code apps:destroy} takes an app whole. The service
 * first: its replicas mount the source, which cannot be deleted until they have stopped, so the
 * source's deletion is asked again until they have (or {@code --timeout}).
 */
@Command(name = "rm", aliases = "delete", description = "Delete an app: its service, then its source (every version)")
final class AppRemoveCommand extends Subcommand implements Callable<Integer> {
  /** How often the source's deletion is asked again while the replicas stop. */
  private static final Duration ASK_AGAIN = Duration.ofSeconds(1);

  @Parameters(index = "0", paramLabel = "NAME", description = "The app's name")
  String name;

  @Option(names = "--keep-source", description = "Delete only the service; keep the source's versions")
  boolean keepSource;

  @Option(names = "--timeout", paramLabel = "DURATION", defaultValue = "2m", converter = DurationConverter.class,
      description = "How long to wait for the replicas to stop before the source goes (default ${DEFAULT-VALUE})")
  Duration timeout;

  @Override
  public Integer call() throws InterruptedException {
    ApiClient client = client();
    // Not found (exit 3) or not the caller's to see, as the API says.
    client.get("/apps/" + ApiClient.segment(name));
    HttpResponse<String> service = delete(client, "/services/" + ApiClient.segment(name));
    if (service.statusCode() == 404) {
      io().err().println("app " + name + " has no service");
    } else {
      checked(service);
      io().err().println("service " + name + " deleted; its replicas stop");
    }
    if (keepSource) {
      io().out().println(name);
      return ExitCodes.OK;
    }
    String source = "/datasets/apps/" + ApiClient.segment(name) + "/source";
    long deadline = System.nanoTime() + timeout.toNanos();
    HttpResponse<String> deleted = delete(client, source);
    boolean said = false;
    while (deleted.statusCode() == 409 && System.nanoTime() < deadline) {
      if (!said) {
        io().err().println("waiting for its replicas to stop before its source goes (up to " + timeout.toSeconds() + " s)");
        said = true;
      }
      Thread.sleep(ASK_AGAIN.toMillis());
      deleted = delete(client, source);
    }
    checked(deleted);
    io().err().println("source apps/" + name + "/source deleted");
    io().out().println(name);
    return ExitCodes.OK;
  }

  private static HttpResponse<String> delete(ApiClient client, String path) {
    return client.send(client.request(path).DELETE().build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
  }

  private static void checked(HttpResponse<String> response) {
    if (response.statusCode() >= 400) {
      throw Problems.toException(response.statusCode(), response.body());
    }
  }
}
