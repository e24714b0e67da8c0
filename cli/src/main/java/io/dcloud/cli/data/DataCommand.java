package io.dcloud.cli.data;

import com.fasterxml.jackson.databind.JsonNode;
import io.dcloud.cli.common.ApiClient;
import io.dcloud.cli.common.CliException;
import io.dcloud.cli.common.ExitCodes;
import io.dcloud.cli.common.FolderTar;
import io.dcloud.cli.common.Noun;
import io.dcloud.cli.common.OutputOption;
import io.dcloud.cli.common.Subcommand;
import io.dcloud.cli.common.Table;
import io.dcloud.cli.env.EnvCopyCommand;
import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code dcloud data put|get|ls|versions|rm}: datasets, named CATEGORY/DB/NAME. A folder is put as a
 * tar made by the local {@code tar} (environments then see it as a directory), a file as its bytes.
 */
@Command(name = "data", description = "Datasets: versioned files and folders that environments mount read-only; list (the default), put, get, delete",
    subcommands = {DataCommand.Put.class, DataCommand.Get.class, DataCommand.Ls.class, DataCommand.Versions.class,
        DataCommand.Remove.class})
public final class DataCommand extends Noun implements Callable<Integer> {

  @Override
  public Integer call() {
    return runByDefault("ls");
  }

  static String path(String dataset) {
    String[] parts = dataset.split("/", -1);
    if (parts.length != 3) {
      throw CliException.usage(dataset + ": name a dataset as CATEGORY/DB/NAME");
    }
    return "/datasets/" + ApiClient.segment(parts[0]) + "/" + ApiClient.segment(parts[1]) + "/"
        + ApiClient.segment(parts[2]);
  }

  private static String withVersion(String path, Integer version) {
    return version == null ? path : path + ApiClient.query(Map.of("version", version));
  }

  @Command(name = "put", description = "Upload a file or folder as the dataset's next version")
  public static final class Put extends Subcommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "LOCAL")
    Path local;

    @Parameters(index = "1", paramLabel = "CATEGORY/DB/NAME")
    String dataset;

    @Option(names = "--progress", description = "Show a progress bar on stderr even when it is not a terminal")
    boolean progress;

    @Override
    public Integer call() throws IOException {
      if (!Files.exists(local) && Files.exists(Path.of(dataset))) {
        throw CliException.usage("the file or folder comes first, then the dataset: dcloud data put " + dataset + " " + local);
      }
      ApiClient client = client();
      HttpRequest.Builder request = client.request(path(dataset));
      Process tar = null;
      TransferProgress bar;
      if (Files.isDirectory(local)) {
        tar = FolderTar.start(local);
        Process packing = tar;
        TransferProgress counting = new TransferProgress(io().err(), -1, TransferProgress.wanted(io(), progress));
        bar = counting;
        request.header("Content-Type", "application/x-tar")
            .PUT(HttpRequest.BodyPublishers.ofInputStream(() -> counting.count(packing.getInputStream())));
      } else if (Files.isRegularFile(local)) {
        String type = contentType(local.getFileName().toString());
        long size = Files.size(local);
        TransferProgress counting = new TransferProgress(io().err(), size, TransferProgress.wanted(io(), progress));
        bar = counting;
        // Its length stays known (Content-Length), as BodyPublishers.ofFile would send it.
        request.header("Content-Type", type).PUT(HttpRequest.BodyPublishers.fromPublisher(
            HttpRequest.BodyPublishers.ofInputStream(() -> counting.count(open(local))), size));
      } else {
        throw CliException.usage("no such file or folder: " + local);
      }
      JsonNode made = client.json(request);
      bar.finish();
      if (tar != null) {
        EnvCopyCommand.awaitTar(tar);
      }
      io().out().println(made.path("dataset").asText(dataset) + " version " + made.path("version").asInt());
      io().err().println(made.path("size").asLong() + " bytes, sha256 " + made.path("sha256").asText());
      return ExitCodes.OK;
    }

    /**
     * A .tar is a directory, and so is a .tar.gz or .tgz (gzip-compressed); anything else one file,
     * typed by its extension where it is a common data format (a download then says what it is, as the
     * console's upload, whose type the browser gives, does), else plain bytes.
     */
    public static String contentType(String fileName) {
      String name = fileName.toLowerCase(Locale.ROOT);
      if (name.endsWith(".tar")) {
        return "application/x-tar";
      } else if (name.endsWith(".tar.gz") || name.endsWith(".tgz")) {
        return "application/x-gtar";
      }
      String extension = name.substring(name.lastIndexOf('.') + 1);
      return DATA_FORMATS.getOrDefault(extension, "application/octet-stream");
    }

    private static final Map<String, String> DATA_FORMATS = Map.of(
        "csv", "text/csv", "tsv", "text/tab-separated-values", "txt", "text/plain",
        "json", "application/json", "jsonl", "application/x-ndjson", "ndjson", "application/x-ndjson",
        "parquet", "application/vnd.apache.parquet", "gz", "application/gzip", "zip", "application/zip");

    private static InputStream open(Path file) {
      try {
        return Files.newInputStream(file);
      } catch (IOException e) {
        throw new java.io.UncheckedIOException("cannot read " + file, e);
      }
    }
  }

  @Command(name = "get", description = "Download a version (the latest by default) to LOCAL, or - for stdout")
  static final class Get extends Subcommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "CATEGORY/DB/NAME")
    String dataset;

    @Parameters(index = "1", paramLabel = "LOCAL", defaultValue = "-")
    String local;

    @Option(names = "--version", paramLabel = "N", description = "That version, not the latest")
    Integer version;

    @Option(names = "--progress", description = "Show a progress bar on stderr even when it is not a terminal")
    boolean progress;

    @Override
    public Integer call() throws IOException {
      ApiClient client = client();
      HttpResponse<InputStream> response = client.stream(client.request(withVersion(path(dataset), version)));
      TransferProgress bar = new TransferProgress(io().err(),
          response.headers().firstValueAsLong("Content-Length").orElse(-1), TransferProgress.wanted(io(), progress));
      try (InputStream body = bar.count(response.body())) {
        if (local.equals("-")) {
          body.transferTo(io().out());
          io().out().flush();
          bar.finish();
        } else {
          Files.copy(body, Path.of(local), StandardCopyOption.REPLACE_EXISTING);
          bar.finish();
          io().err().println("version " + response.headers().firstValue("X-Dataset-Version").orElse("?") + " to " + local
              + " (sha256 " + response.headers().firstValue("X-Dataset-Sha256").orElse("?") + ")");
        }
      }
      return ExitCodes.OK;
    }
  }

  @Command(name = "ls", aliases = "list", description = "The datasets you may read, with their latest version")
  static final class Ls extends Subcommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "PREFIX", defaultValue = "", description = "Only those starting with it")
    String prefix;

    @Mixin
    OutputOption output;

    @Override
    public Integer call() {
      JsonNode listing = client().get("/datasets" + ApiClient.query(Map.of("prefix", prefix)));
      output.print(io().out(), listing, () -> {
        Table table = new Table("DATASET", "OWNER", "LATEST", "SIZE", "VERSIONS");
        for (JsonNode entry : listing.path("datasets")) {
          table.row(entry.path("dataset").asText(), entry.path("owner").asText(),
              entry.path("latest").path("version").asInt(), entry.path("latest").path("size").asLong(),
              entry.path("versions").asInt());
        }
        return table;
      });
      return ExitCodes.OK;
    }
  }

  @Command(name = "versions", description = "A dataset's versions")
  static final class Versions extends Subcommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "CATEGORY/DB/NAME")
    String dataset;

    @Mixin
    OutputOption output;

    @Override
    public Integer call() {
      JsonNode shown = client().get(path(dataset) + "/versions");
      output.print(io().out(), shown, () -> {
        Table table = new Table("VERSION", "SIZE", "SHA256", "TYPE", "CREATED");
        for (JsonNode version : shown.path("versions")) {
          table.row(version.path("version").asInt(), version.path("size").asLong(), version.path("sha256").asText(),
              version.path("contentType").asText(), version.path("createdAt").asText());
        }
        return table;
      });
      return ExitCodes.OK;
    }
  }

  @Command(name = "rm", aliases = "delete", description = "Delete one version, or all of them")
  static final class Remove extends Subcommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "CATEGORY/DB/NAME")
    String dataset;

    @Option(names = "--version", paramLabel = "N", description = "Only that version")
    Integer version;

    @Override
    public Integer call() {
      JsonNode deleted = client().delete(withVersion(path(dataset), version));
      io().out().println(dataset + ": deleted " + deleted.path("deleted") + ", left " + deleted.path("remaining"));
      return ExitCodes.OK;
    }
  }
}
