package io.dcloud.cli.service;

import com.fasterxml.jackson.databind.JsonNode;
import io.dcloud.cli.common.ApiClient;
import io.dcloud.cli.common.CliException;
import io.dcloud.cli.common.ExitCodes;
import io.dcloud.cli.common.LogOptions;
import io.dcloud.cli.common.Subcommand;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/**
 * {@code dcloud services logs NAME [-f] [--tail N]}: the log lines of every replica of a service,
 * each line after its replica's short id, as {@code docker compose logs} prints a project's (the
 * environments' own {@code /logs}, so what their owner may read). Without {@code -f} one replica after
 * the other; with it, lines as they come from all of them at once, whole lines only.
 */
@Command(name = "logs", description = "Print the log lines of every replica of a service, each after its replica's id")
final class ServiceLogsCommand extends Subcommand implements Callable<Integer> {
  /** The start of a replica's id its lines are printed after, as {@code docker ps} shortens ids (the CLI takes it for the id). */
  private static final int SHORT_ID = 8;

  @Parameters(paramLabel = "NAME")
  String name;

  /** {@code -f} follows the replicas the service has when the command starts (not those made later, as {@code docker compose logs}). */
  @Mixin
  LogOptions options;

  @Override
  public Integer call() throws Exception {
    ApiClient client = client();
    List<String> replicas = new ArrayList<>();
    client.get("/services/" + ApiClient.segment(name)).path("replicas").forEach(r -> replicas.add(r.path("id").asText()));
    if (replicas.isEmpty()) {
      throw new CliException(ExitCodes.REFUSED, "service " + name + " has no replicas (dcloud services scale " + name
          + " N makes some)");
    }
    AtomicInteger unread = new AtomicInteger();
    if (!options.follow) {
      for (String replica : replicas) {
        copy(client, replica, unread);
      }
    } else {
      ExecutorService readers = Executors.newFixedThreadPool(replicas.size(), runnable -> {
        Thread thread = new Thread(runnable, "dcloud-service-logs");
        thread.setDaemon(true);
        return thread;
      });
      try {
        List<Future<?>> all = new ArrayList<>();
        replicas.forEach(replica -> all.add(readers.submit(() -> copy(client, replica, unread))));
        for (Future<?> one : all) {
          try {
            one.get();
          } catch (ExecutionException failed) {
            throw failed.getCause() instanceof RuntimeException cause ? cause : new UncheckedIOException(
                new IOException(failed.getCause()));
          }
        }
      } finally {
        readers.shutdownNow();
      }
    }
    // Some replicas' logs could not be read (said on stderr): not a clean success.
    return unread.get() == 0 ? ExitCodes.OK : ExitCodes.ERROR;
  }

  /** One replica's lines, each written whole after its prefix; a replica whose log cannot be read is said on stderr. */
  private void copy(ApiClient client, String replica, AtomicInteger unread) {
    String prefix = replica.substring(0, Math.min(SHORT_ID, replica.length())) + " | ";
    String path = "/environments/" + ApiClient.segment(replica) + "/logs" + options.query();
    try (InputStream body = client.stream(client.request(path).header("Accept", "text/plain")).body();
        BufferedReader lines = new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8))) {
      for (String line = lines.readLine(); line != null; line = lines.readLine()) {
        synchronized (io().out()) {
          io().out().println(prefix + line);
          io().out().flush();
        }
      }
    } catch (CliException refused) {
      if (refused.exitCode() != ExitCodes.REFUSED && refused.exitCode() != ExitCodes.NOT_FOUND) {
        throw refused;
      }
      // Not running (409), gone meanwhile (404): the others' lines still come.
      unread.incrementAndGet();
      synchronized (io().out()) {
        io().err().println("dcloud: replica " + replica + ": " + refused.getMessage());
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
