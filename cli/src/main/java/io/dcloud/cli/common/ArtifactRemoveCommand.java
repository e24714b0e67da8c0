package io.dcloud.cli.common;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.Callable;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code dcloud apps|models rm NAME}: an app or a model is its service and its dataset (the app's
 * source, the model's bundle); both go, as Heroku's {@code apps:destroy} takes an app whole. The
 * service first: its replicas mount the dataset, which cannot be deleted until they have stopped,
 * so its deletion is asked again until they have (or {@code --timeout}).
 */
public abstract class ArtifactRemoveCommand extends Subcommand implements Callable<Integer> {
  /** How often the dataset's deletion is asked again while the replicas stop. */
  private static final Duration ASK_AGAIN = Duration.ofSeconds(1);

  @Parameters(index = "0", paramLabel = "NAME", description = "Its name")
  String name;

  @Option(names = "--keep-versions", description = "Delete only the service; keep every version")
  boolean keepVersions;

  @Option(names = "--timeout", paramLabel = "DURATION", defaultValue = "2m", converter = DurationConverter.class,
      description = "How long to wait for the replicas to stop before the versions go (default ${DEFAULT-VALUE})")
  Duration timeout;

  /** The API's collection: {@code models} or {@code apps}. */
  protected abstract String collection();

  /** The dataset that holds its versions ({@code apps/<name>/source}). */
  protected abstract String dataset(String name);

  @Override
  public Integer call() throws InterruptedException {
    ApiClient client = client();
    String kind = collection().substring(0, collection().length() - 1);
    // Not found (exit 3), or not the caller's to see, as the API says.
    client.get("/" + collection() + "/" + ApiClient.segment(name));
    HttpResponse<String> service = delete(client, "/services/" + ApiClient.segment(name));
    if (service.statusCode() == 404) {
      io().err().println(kind + " " + name + " has no service");
    } else {
      checked(service);
      io().err().println("service " + name + " deleted; its replicas stop");
    }
    if (keepVersions) {
      io().out().println(name);
      return ExitCodes.OK;
    }
    String dataset = dataset(name);
    String path = "/datasets/" + String.join("/", Arrays.stream(dataset.split("/")).map(ApiClient::segment).toList());
    long deadline = System.nanoTime() + timeout.toNanos();
    HttpResponse<String> deleted = delete(client, path);
    boolean said = false;
    while (deleted.statusCode() == 409 && System.nanoTime() < deadline) {
      if (!said) {
        io().err().println("waiting for its replicas to stop before " + dataset + " goes (up to " + timeout.toSeconds() + " s)");
        said = true;
      }
      Thread.sleep(ASK_AGAIN.toMillis());
      deleted = delete(client, path);
    }
    checked(deleted);
    io().err().println(dataset + " deleted, every version");
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
