package io.dcloud.cli.env;

import com.fasterxml.jackson.databind.JsonNode;
import io.dcloud.cli.common.ApiClient;
import io.dcloud.cli.common.CliException;
import io.dcloud.cli.common.ExitCodes;
import io.dcloud.cli.common.FolderTar;
import io.dcloud.cli.common.Refs;
import io.dcloud.cli.common.Subcommand;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * {@code dcloud env cp LOCAL ID:PATH} and {@code dcloud env cp ID:PATH LOCAL}: a file goes as its
 * bytes, a folder as a tar made and unpacked by the local {@code tar} (its contents go into PATH, or
 * into LOCAL).
 * A remote PATH ending in / takes the local file's name. LOCAL "-" is stdout.
 */
@Command(name = "cp", description = "Copy a file or folder into an environment (LOCAL ID:PATH) or out of it (ID:PATH LOCAL)")
public final class EnvCopyCommand extends Subcommand implements Callable<Integer> {
  private static final Pattern REMOTE = Pattern.compile("([0-9a-fA-F]{8}-[0-9a-fA-F-]{27}):(.*)");
  /** An environment by name or the start of its id: then only with an absolute path, as a local "a:b" may be a file. */
  private static final Pattern NAMED = Pattern.compile("([A-Za-z0-9][A-Za-z0-9._-]*):(/.*)");

  @Parameters(index = "0", paramLabel = "SOURCE")
  String source;

  @Parameters(index = "1", paramLabel = "TARGET")
  String target;

  private record Remote(String id, String path) {}

  @Override
  public Integer call() throws IOException {
    Remote from = remote(source);
    Remote to = remote(target);
    if ((from == null) == (to == null)) {
      throw CliException.usage("one side must be ID:PATH (an environment's id, name or the start of its id, an"
          + " absolute path) and the other a local path");
    }
    if (to != null) {
      upload(Path.of(source), resolved(to));
    } else {
      download(resolved(from), target);
    }
    return ExitCodes.OK;
  }

  private static Remote remote(String argument) {
    Matcher matcher = REMOTE.matcher(argument);
    if (!matcher.matches()) {
      matcher = NAMED.matcher(argument);
      if (!matcher.matches()) {
        return null;
      }
    }
    if (!matcher.group(2).startsWith("/")) {
      throw CliException.usage(argument + ": the path in the environment must be absolute (/home/...)");
    }
    return new Remote(matcher.group(1), matcher.group(2));
  }

  private Remote resolved(Remote remote) {
    return new Remote(Refs.resolve(client(), Refs.ENVIRONMENT, remote.id()), remote.path());
  }

  private void upload(Path local, Remote to) throws IOException {
    ApiClient client = client();
    HttpRequest.Builder request;
    String path = to.path();
    Process tar = null;
    if (Files.isDirectory(local)) {
      tar = FolderTar.start(local);
      Process packing = tar;
      request = client.request(files(to.id(), path)).header("Content-Type", "application/x-tar")
          .PUT(HttpRequest.BodyPublishers.ofInputStream(packing::getInputStream));
    } else if (Files.isRegularFile(local)) {
      if (path.endsWith("/")) {
        path = path + local.getFileName();
      }
      request = client.request(files(to.id(), path)).header("Content-Type", "application/octet-stream")
          .PUT(HttpRequest.BodyPublishers.ofFile(local));
    } else {
      throw CliException.usage("no such file or folder: " + local);
    }
    JsonNode written = client.json(request);
    if (tar != null) {
      awaitTar(tar);
    }
    io().err().println("copied to " + to.id() + ":" + written.path("path").asText(path)
        + " (" + written.path("bytes").asLong() + " bytes)");
  }

  private void download(Remote from, String local) throws IOException {
    ApiClient client = client();
    HttpResponse<InputStream> response = client.stream(client.request(files(from.id(), from.path())));
    boolean isTar = response.headers().firstValue("Content-Type").orElse("").startsWith("application/x-tar");
    try (InputStream body = response.body()) {
      if (local.equals("-")) {
        body.transferTo(io().out());
        io().out().flush();
      } else if (isTar) {
        Path folder = Files.createDirectories(Path.of(local));
        // The tar holds the folder itself (tree/...): its contents go into LOCAL, as 'cp -r' does.
        Process tar = new ProcessBuilder("tar", "-C", folder.toString(), "--strip-components=1", "-xf", "-")
            .redirectError(ProcessBuilder.Redirect.INHERIT).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        try (OutputStream unpack = tar.getOutputStream()) {
          body.transferTo(unpack);
        }
        awaitTar(tar);
        io().err().println("copied " + from.id() + ":" + from.path() + " into " + folder);
      } else {
        Path file = Path.of(local);
        if (Files.isDirectory(file)) {
          file = file.resolve(Path.of(from.path()).getFileName().toString());
        }
        long bytes = Files.copy(body, file, StandardCopyOption.REPLACE_EXISTING);
        // As an upload says where it went; not for '-', whose bytes are the output.
        io().err().println("copied " + from.id() + ":" + from.path() + " to " + file + " (" + bytes + " bytes)");
      }
    }
  }

  private static String files(String id, String path) {
    return EnvCommand.path(id) + "/files" + ApiClient.query(Map.of("path", path));
  }

  /** Also {@link io.dcloud.cli.data.DataCommand}'s. */
  public static void awaitTar(Process tar) {
    try {
      if (tar.waitFor() != 0) {
        throw new CliException(ExitCodes.ERROR, "tar failed (exit " + tar.exitValue() + ")");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CliException(ExitCodes.ERROR, "interrupted");
    }
  }
}
