package io.dcloud.cli.model;

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
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code dcloud models push|ls|deploy}: trained models served by DCloud. A push sends the artifact, the
 * contract and the config as one multipart upload; the artifact is streamed from its file.
 */
@Command(name = "models", description = "Models: a trained model, its contract and config, as versions DCloud serves",
    subcommands = {ModelsCommand.Push.class, ModelsCommand.Ls.class, ModelsCommand.Get.class, ModelsDeployCommand.class, ModelsCommand.Rm.class})
public final class ModelsCommand extends Noun implements Callable<Integer> {

  @Override
  public Integer call() {
    return runByDefault("ls");
  }

  @Command(name = "push", description = "Upload a model as its next version")
  static final class Push extends Subcommand implements Callable<Integer> {
    /** The artifact's kinds, by extension: what a directory's artifact is found by. */
    static final List<String> ARTIFACTS = List.of(".joblib", ".pkl", ".pt");
    static final List<String> CONFIGS = List.of("model.yaml", "model.yml", "model.json");

    @Parameters(index = "0", arity = "0..1", paramLabel = "DIR",
        description = "Where the model's files are: its one .joblib, .pkl or .pt, contract.py and model.yaml"
            + " (model.yml, model.json), each unless named by its option (default: the current directory)")
    Path directory;

    @Option(names = "--model", paramLabel = "FILE",
        description = "The artifact: a joblib/pickle of a scikit-learn estimator (.joblib, .pkl) or TorchScript (.pt)")
    Path model;

    @Option(names = "--contract", paramLabel = "FILE",
        description = "Python defining preprocess(request) and postprocess(prediction)")
    Path contract;

    @Option(names = "--config", paramLabel = "FILE",
        description = "JSON or YAML: name, runtime, resources, replicas, batching, input-example")
    Path config;

    @Override
    public Integer call() throws Exception {
      Path dir = directory == null ? Path.of(".") : directory;
      if (directory != null && !Files.isDirectory(directory)) {
        throw CliException.usage("no such directory: " + directory);
      }
      Path model = this.model != null ? this.model : artifactIn(dir);
      Path contract = this.contract != null ? this.contract : dir.resolve("contract.py");
      Path config = this.config != null ? this.config : CONFIGS.stream().map(dir::resolve).filter(Files::isRegularFile)
          .findFirst().orElseThrow(() -> CliException.usage("give the model's config with --config FILE: " + dir
              + " has no " + String.join(", ", CONFIGS)));
      for (Path file : new Path[] {model, contract, config}) {
        if (!Files.isRegularFile(file)) {
          throw CliException.usage("no such file: " + file);
        }
      }
      ApiClient client = client();
      MultipartBody body = new MultipartBody()
          .file("model", model.getFileName().toString(), "application/octet-stream", model)
          .file("contract", "contract.py", "text/x-python", contract)
          .file("config", config.getFileName().toString(), MultipartBody.configType(config), config);
      JsonNode pushed = client.json(client.request("/models")
          .header("Content-Type", body.contentType()).POST(body.publisher()));
      io().out().println(pushed.path("name").asText() + " version " + pushed.path("version").asInt());
      io().err().println(pushed.path("size").asLong() + " bytes, sha256 " + pushed.path("sha256").asText());
      // A push only stores the version (an app's push rolls its service; a model's waits to be chosen).
      io().err().println("serve it: dcloud models deploy " + pushed.path("name").asText()
          + " --version " + pushed.path("version").asInt() + " --wait");
      return ExitCodes.OK;
    }

    /** The directory's one artifact; none, or several, is a usage error saying to name it. */
    static Path artifactIn(Path dir) throws IOException {
      List<Path> found;
      try (Stream<Path> files = Files.list(dir)) {
        found = files.filter(Files::isRegularFile)
            .filter(file -> ARTIFACTS.stream().anyMatch(ext -> file.getFileName().toString().endsWith(ext)))
            .sorted().toList();
      }
      if (found.size() != 1) {
        throw CliException.usage("give the model with --model FILE: " + dir + " has " + (found.isEmpty()
            ? "no " + String.join(", ", ARTIFACTS) + " file" : found.size() + " of them: " + found.stream()
                .map(file -> file.getFileName().toString()).toList()));
      }
      return found.get(0);
    }
  }

  @Command(name = "ls", aliases = "list", description = "The models you may read, with their latest version")
  static final class Ls extends ArtifactListCommand {
    @Override
    protected String collection() {
      return "models";
    }
  }

  @Command(name = "get", aliases = "show", description = "A model's versions and its latest config (-o yaml for all of it)")
  static final class Get extends ArtifactGetCommand {
    @Override
    protected String collection() {
      return "models";
    }
  }

  @Command(name = "rm", aliases = "delete", description = "Delete a model: its service, then its bundle (every version)")
  static final class Rm extends ArtifactRemoveCommand {
    @Override
    protected String collection() {
      return "models";
    }

    @Override
    protected String dataset(String name) {
      return "models/" + name + "/bundle";
    }
  }
}
