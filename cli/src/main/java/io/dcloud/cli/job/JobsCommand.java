package io.dcloud.cli.job;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dcloud.cli.common.ApiClient;
import io.dcloud.cli.common.ByteSizes;
import io.dcloud.cli.common.ChunkSizeOption;
import io.dcloud.cli.common.CliException;
import io.dcloud.cli.common.EnvironmentTable;
import io.dcloud.cli.common.ExitCodes;
import io.dcloud.cli.common.Noun;
import io.dcloud.cli.common.OutputOption;
import io.dcloud.cli.common.Refs;
import io.dcloud.cli.common.Table;
import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code dcloud jobs [ls | submit | get ID | output ID | cancel ID]}: inference jobs over datasets. */
@Command(name = "jobs", description = "Inference jobs (a dataset's records through a model service): list (the default),"
    + " submit, show, output, cancel")
public final class JobsCommand extends Noun implements Callable<Integer> {
  /** How often --wait asks how the job is. */
  private static final Duration POLL = Duration.ofSeconds(1);
  private static final Set<String> ENDED = Set.of("SUCCEEDED", "FAILED", "CANCELLED");
  private static final String JOB = "The job: its id, or the start of its id";

  @Override
  public Integer call() {
    return runByDefault("ls");
  }

  @Command(name = "ls", aliases = "list", description = "List your jobs (admins: all), newest first")
  int ls(@Mixin OutputOption format, @Mixin ChunkSizeOption chunks) {
    JsonNode listing = chunks.listAll(client(), "/jobs", Map.of(), "jobs");
    format.print(io().out(), listing, () -> jobs(listing.path("jobs")));
    return ExitCodes.OK;
  }

  @Command(name = "submit", description = "Run every record of a JSON-lines dataset through a model service")
  int submit(@Mixin OutputOption format,
      @Option(names = "--service", required = true, paramLabel = "S", description = "The model service") String service,
      @Option(names = "--dataset", required = true, paramLabel = "CATEGORY/DB/NAME", description = "The input") String dataset,
      @Option(names = "--version", paramLabel = "N", description = "That version of the input, not the latest") Integer version,
      @Option(names = "--batch-size", paramLabel = "B", description = "Records per task (default 32)") Integer batchSize,
      @Option(names = "--wait", description = "Wait until it ends, with a progress line on stderr") boolean wait) {
    ObjectNode body = JsonNodeFactory.instance.objectNode().put("service", service);
    ObjectNode input = body.putObject("input").put("dataset", dataset);
    if (version != null) {
      input.put("version", version);
    }
    if (batchSize != null) {
      body.put("batch-size", batchSize);
    }
    JsonNode job = client().post("/jobs", body);
    io().err().println("job " + job.path("id").asText() + " submitted");
    if (wait) {
      job = awaitEnd(job.path("id").asText());
    }
    JsonNode shown = job;
    format.print(io().out(), shown, () -> jobs(List.of(shown)));
    return wait && !"SUCCEEDED".equals(job.path("status").asText()) ? ExitCodes.ERROR : ExitCodes.OK;
  }

  @Command(name = "get", aliases = "show", description = "Show a job: its progress and which replica holds which tasks")
  int get(@Mixin OutputOption format, @Parameters(paramLabel = "ID", description = JOB) String reference) {
    JsonNode job = client().get(path(id(reference)));
    if (format.format == OutputOption.Format.table) {
      io().out().println(summary(job));
    }
    format.print(io().out(), job, () -> assignments(job));
    return ExitCodes.OK;
  }

  @Command(name = "output", description = "The predictions, one JSON line per input record, in input order")
  int output(@Parameters(paramLabel = "ID", description = JOB) String reference,
      @Option(names = {"-o", "--output"}, paramLabel = "FILE", description = "Into FILE rather than stdout") Path file)
      throws IOException {
    ApiClient client = client();
    String id = id(reference);
    HttpResponse<InputStream> response = client.stream(client.request(path(id) + "/output"));
    try (InputStream body = response.body()) {
      if (file == null) {
        body.transferTo(io().out());
        io().out().flush();
      } else {
        Files.copy(body, file, StandardCopyOption.REPLACE_EXISTING);
        io().err().println("output of job " + id + " to " + file);
      }
    }
    return ExitCodes.OK;
  }

  @Command(name = "cancel", description = "Cancel a job")
  int cancel(@Parameters(paramLabel = "ID", description = JOB) String reference) {
    String id = id(reference);
    JsonNode job = client().delete(path(id));
    io().out().println(id + " " + job.path("status").asText());
    return ExitCodes.OK;
  }

  /**
   * Polls until the job ended, rewriting one progress line on stderr at a terminal; elsewhere (a
   * log, a pipe) a line each time it moved on, so a log reads line by line.
   */
  private JsonNode awaitEnd(String id) {
    JsonNode job = client().get(path(id));
    String shown = null;
    while (!ENDED.contains(job.path("status").asText())) {
      String moved = job.path("status").asText() + job.path("progress").path("done").asLong() + job.path("reading");
      if (io().terminal()) {
        io().err().print("\r" + progress(job));
      } else if (!moved.equals(shown)) {
        io().err().println(progress(job));
      }
      shown = moved;
      io().err().flush();
      try {
        Thread.sleep(POLL.toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new CliException(ExitCodes.ERROR, "interrupted; job " + id + " goes on");
      }
      job = client().get(path(id));
    }
    io().err().println((io().terminal() ? "\r" : "") + progress(job)
        + (job.path("error").isTextual() ? " - " + job.path("error").asText() : ""));
    return job;
  }

  static String progress(JsonNode job) {
    JsonNode reading = job.path("reading");
    if (reading.isObject()) {
      return job.path("status").asText() + " reading the input: " + ByteSizes.of(reading.path("bytes").asLong())
          + " of " + ByteSizes.of(reading.path("totalBytes").asLong());
    }
    JsonNode p = job.path("progress");
    String eta = p.path("etaSeconds").isNumber() ? ", " + p.path("etaSeconds").asLong() + " s left" : "";
    return job.path("status").asText() + " " + p.path("done").asLong() + "/" + p.path("total").asLong() + " records, "
        + String.format(java.util.Locale.ROOT, "%.1f", p.path("rate").asDouble()) + "/s" + eta;
  }

  private String id(String reference) {
    return Refs.resolve(client(), Refs.JOB, reference);
  }

  private static String path(String id) {
    return "/jobs/" + ApiClient.segment(id);
  }

  private static Table jobs(Iterable<JsonNode> jobs) {
    Table table = new Table("ID", "SERVICE", "OWNER", "STATUS", "DONE", "INPUT", "CREATED");
    jobs.forEach(j -> table.row(EnvironmentTable.text(j, "id"), EnvironmentTable.text(j, "service"),
        EnvironmentTable.text(j, "owner"), EnvironmentTable.text(j, "status"),
        j.path("progress").path("done").asLong() + "/" + j.path("progress").path("total").asLong(),
        j.path("input").path("dataset").asText() + "@" + j.path("input").path("version").asInt(),
        EnvironmentTable.text(j, "createdAt")));
    return table;
  }

  /** The line above a job's table: its progress, output and error. */
  private static String summary(JsonNode job) {
    return "job " + job.path("id").asText() + " through " + job.path("service").asText() + ": " + progress(job)
        + (job.path("output").isObject()
            ? ", output " + job.path("output").path("dataset").asText() + "@" + job.path("output").path("version").asInt()
            : "")
        + (job.path("error").isTextual() ? ", " + job.path("error").asText() : "");
  }

  private static Table assignments(JsonNode job) {
    Table table = new Table("REPLICA", "NODE", "TASKS", "DONE");
    job.path("assignments").forEach(a -> table.row(EnvironmentTable.text(a, "replica"), EnvironmentTable.text(a, "node"),
        a.path("tasks").asInt(), a.path("done").asInt()));
    return table;
  }
}
