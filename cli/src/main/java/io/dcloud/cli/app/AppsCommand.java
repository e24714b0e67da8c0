package io.dcloud.cli.app;

import com.fasterxml.jackson.databind.JsonNode;
import io.dcloud.cli.common.ApiClient;
import io.dcloud.cli.common.ArtifactGetCommand;
import io.dcloud.cli.common.ArtifactListCommand;
import io.dcloud.cli.common.ArtifactRemoveCommand;
import io.dcloud.cli.common.CliException;
import io.dcloud.cli.common.ExitCodes;
import io.dcloud.cli.common.MultipartBody;
import io.dcloud.cli.common.Noun;
import io.dcloud.cli.common.Subcommand;
import io.dcloud.cli.service.ServiceRollout;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code dcloud apps push|ls|get|rm}: applications DCloud runs as services. A push sends the source (an
 * archive as it is, or a directory zipped on the way) and the config as one multipart upload.
 */
@Command(name = "apps", description = "Apps: an application's source and config, deployed as a service",
    subcommands = {AppsCommand.Push.class, AppsCommand.Ls.class, AppsCommand.Get.class, AppsCommand.Rm.class})
public final class AppsCommand extends Noun implements Callable<Integer> {

  @Override
  public Integer call() {
    return runByDefault("ls");
  }

  @Command(name = "push", description = "Push an app's source as its next version and deploy it")
  static final class Push extends Subcommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "DIR|ARCHIVE",
        description = "The app's directory (all of its files are sent), or a .tar, .tar.gz (.tgz) or .zip of them")
    Path source;

    @Option(names = {"-c", "--config"}, paramLabel = "FILE",
        description = "JSON or YAML: name, runtime, command, port, replicas, resources, readiness, env"
            + " (default: the directory's app.yaml, app.yml or app.json)")
    Path config;

    /** What a directory's config is called when {@code -c} names none, as {@code docker build} finds its Dockerfile. */
    static final List<String> DEFAULT_CONFIGS = List.of("app.yaml", "app.yml", "app.json");

    @Option(names = "--wait", description = "Wait until every replica of the new service version is ready"
        + " (while one is not, why)")
    boolean await;

    @Override
    public Integer call() throws Exception {
      if (!Files.exists(source)) {
        throw CliException.usage("no such directory or archive: " + source);
      }
      Path config = this.config != null ? this.config : defaultConfig(source);
      if (!Files.isRegularFile(config)) {
        throw CliException.usage("no such file: " + config);
      }
      Path archive = Files.isDirectory(source) ? zipped(source) : source;
      try {
        ApiClient client = client();
        MultipartBody body = new MultipartBody()
            .file("source", archive.getFileName().toString(), "application/octet-stream", archive)
            .file("config", config.getFileName().toString(), MultipartBody.configType(config), config);
        JsonNode pushed = client.json(client.request("/apps")
            .header("Content-Type", body.contentType()).POST(body.publisher()));
        JsonNode service = pushed.path("service");
        io().out().println(pushed.path("name").asText() + " version " + pushed.path("version").asInt());
        io().err().println("service " + service.path("name").asText() + " version " + service.path("version").asInt()
            + ", " + service.path("desiredReplicas").asInt() + " replica(s) on port " + service.path("port").asInt()
            + (await ? "" : ": see 'dcloud services ls'"));
        if (await) {
          new ServiceRollout(io(), client).await(service.path("name").asText(), service.path("version").asInt());
        }
        return ExitCodes.OK;
      } finally {
        if (archive != source) {
          Files.deleteIfExists(archive);
        }
      }
    }

    static Path defaultConfig(Path source) {
      if (Files.isDirectory(source)) {
        for (String name : DEFAULT_CONFIGS) {
          if (Files.isRegularFile(source.resolve(name))) {
            return source.resolve(name);
          }
        }
      }
      throw CliException.usage("give the app's config with -c FILE: " + (Files.isDirectory(source)
          ? source + " has no " + String.join(", ", DEFAULT_CONFIGS) : "an archive's is not looked for"));
    }

    /** The directory's regular files as a zip, by their paths inside it ('/'-separated), in a temporary file. */
    static Path zipped(Path directory) throws IOException {
      Path zip = Files.createTempFile("dcloud-apps-push-", ".zip");
      try (OutputStream file = Files.newOutputStream(zip); ZipOutputStream out = new ZipOutputStream(file);
          Stream<Path> walk = Files.walk(directory)) {
        List<Path> files = walk.filter(Files::isRegularFile).sorted().toList();
        for (Path each : files) {
          out.putNextEntry(new ZipEntry(directory.relativize(each).toString().replace('\\', '/')));
          Files.copy(each, out);
          out.closeEntry();
        }
      } catch (IOException | UncheckedIOException e) {
        Files.deleteIfExists(zip);
        throw e;
      }
      return zip;
    }
  }

  @Command(name = "ls", aliases = "list", description = "The apps you may read, with their latest version")
  static final class Ls extends ArtifactListCommand {
    @Override
    protected String collection() {
      return "apps";
    }
  }

  @Command(name = "get", aliases = "show", description = "An app's source versions and its latest config (-o yaml for all of it)")
  static final class Get extends ArtifactGetCommand {
    @Override
    protected String collection() {
      return "apps";
    }
  }

  @Command(name = "rm", aliases = "delete", description = "Delete an app: its service, then its source (every version)")
  static final class Rm extends ArtifactRemoveCommand {
    @Override
    protected String collection() {
      return "apps";
    }

    @Override
    protected String dataset(String name) {
      return "apps/" + name + "/source";
    }
  }
}
