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
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

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
    @Option(names = "--model", required = true, paramLabel = "FILE",
        description = "The artifact: a joblib/pickle of a scikit-learn estimator (.joblib, .pkl) or TorchScript (.pt)")
    Path model;

    @Option(names = "--contract", required = true, paramLabel = "FILE",
        description = "Python defining preprocess(request) and postprocess(prediction)")
    Path contract;

    @Option(names = "--config", required = true, paramLabel = "FILE",
        description = "JSON or YAML: name, runtime, resources, replicas, batching, input-example")
    Path config;

    @Override
    public Integer call() throws Exception {
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
