package io.dcloud.cli.env;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dcloud.cli.common.ApiClient;
import io.dcloud.cli.common.CliException;
import io.dcloud.cli.common.ExitCodes;
import io.dcloud.cli.common.SpecFiles;
import io.dcloud.cli.common.Subcommand;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code dcloud env create -f spec.yaml | --template NAME [--name NAME] [--set path=value]... [--detach | --dry-run]}: sends
 * the contract, then follows the environment until it runs (printing its URL, else its id) or fails;
 * {@code --dry-run} prints what a create would make and where instead (see {@link EnvDryRun}).
 */
@Command(name = "create", description = "Create an environment from a contract file or a template, and wait until it runs")
final class EnvCreateCommand extends Subcommand implements Callable<Integer> {
  private static final ObjectMapper JSON = new ObjectMapper();

  static final class Source {
    @Option(names = {"-f", "--file"}, paramLabel = "FILE", description = "The environment contract, YAML or JSON ('-': stdin)")
    String file;

    @Option(names = "--template", paramLabel = "NAME", description = "Start from this template")
    String template;
  }

  @ArgGroup(exclusive = true, multiplicity = "1")
  Source source;

  @Option(names = {"-n", "--name"}, paramLabel = "NAME",
      description = "The environment's name (the contract's env-name; --set env-name=NAME)")
  String name;

  @Option(names = "--set", paramLabel = "PATH=VALUE",
      description = "Set one contract field, e.g. resources.ram=8G (repeatable)")
  List<String> sets = new ArrayList<>();

  @Option(names = {"-d", "--detach"}, description = "Print the id and return without waiting")
  boolean detach;

  @Mixin
  FollowTimeout following;

  @Option(names = "--dry-run",
      description = "Create nothing: print the request as YAML, the Dockerfile and where it would be placed (with -f)")
  boolean dryRun;

  @Override
  public Integer call() {
    JsonNode document = source.file != null ? SpecFiles.read(source.file, io().in()) : JSON.createObjectNode();
    if (!(document instanceof ObjectNode contract)) {
      throw CliException.usage(source.file + " must hold one environment contract (a mapping), not a " + document.getNodeType());
    }
    SetOverrides.apply(contract, sets);
    if (name != null) {
      contract.put("env-name", name);
    }
    ApiClient client = client();
    if (dryRun) {
      if (source.template != null) {
        throw CliException.usage("--dry-run works with -f FILE, not --template");
      }
      return EnvDryRun.print(client.post(EnvDryRun.PATH, contract), io().out());
    }
    String path = source.template != null
        ? "/templates/" + ApiClient.segment(source.template) + "/environments"
        : "/environments";
    JsonNode created = client.create(path, contract);
    String id = created.path("id").asText();
    if (detach) {
      io().out().println(id);
      return ExitCodes.OK;
    }
    return new EnvProgress(io(), client).within(following.timeout).follow(id, created);
  }
}
