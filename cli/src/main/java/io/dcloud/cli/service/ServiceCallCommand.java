package io.dcloud.cli.service;

import io.dcloud.cli.common.ApiClient;
import io.dcloud.cli.common.CliException;
import io.dcloud.cli.common.ExitCodes;
import io.dcloud.cli.common.Problems;
import io.dcloud.cli.common.Subcommand;
import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code dcloud services call NAME [PATH] [-X METHOD] [-d DATA | -f FILE] [-H 'Name: value']}: one
 * request to an app service's replicas through the gateway (its load balancing, its retries), as
 * curl would send it to the app. The app's answer is printed as it came; an answer other than 2xx
 * exits 1 with its status on stderr (a gateway's own refusal: its problem, and its exit code).
 */
@Command(name = "call", description = "Send one request to a service's replicas through the gateway and print the answer")
final class ServiceCallCommand extends Subcommand implements Callable<Integer> {
  @Parameters(index = "0", paramLabel = "NAME")
  String name;

  @Parameters(index = "1", paramLabel = "PATH", defaultValue = "/", description = "The app's path, e.g. /items?page=2 (default /)")
  String path;

  @Option(names = {"-X", "--request"}, paramLabel = "METHOD", defaultValue = "GET", description = "GET (default), POST, PUT or DELETE")
  String method;

  @Option(names = {"-d", "--data"}, paramLabel = "DATA", description = "The request's body")
  String data;

  @Option(names = {"-f", "--file"}, paramLabel = "FILE", description = "The request's body from a file ('-': stdin)")
  String file;

  @Option(names = {"-H", "--header"}, paramLabel = "'NAME: VALUE'", description = "A header for the app (repeatable)")
  List<String> headers;

  @Override
  public Integer call() throws IOException {
    if (!List.of("GET", "POST", "PUT", "DELETE").contains(method.toUpperCase())) {
      throw CliException.usage("-X " + method + ": a service is called with GET, POST, PUT or DELETE");
    }
    if (data != null && file != null) {
      throw CliException.usage("give the body with --data or --file, not both");
    }
    String below = path.startsWith("/") ? path.substring(1) : path;
    ApiClient client = client();
    HttpRequest.Builder request = client.request("/services/" + ApiClient.segment(name) + "/call/" + below)
        .method(method.toUpperCase(), body());
    if (headers != null) {
      for (String header : headers) {
        int colon = header.indexOf(':');
        if (colon <= 0) {
          throw CliException.usage("-H " + header + ": a header is 'Name: value'");
        }
        request.header(header.substring(0, colon).strip(), header.substring(colon + 1).strip());
      }
    }
    HttpResponse<byte[]> answer = client.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
    String contentType = answer.headers().firstValue("Content-Type").orElse("");
    if (answer.statusCode() / 100 != 2 && contentType.startsWith("application/problem+json")) {
      // The gateway's own refusal (no such service, no replica ready): said as every command says one.
      throw Problems.toException(answer.statusCode(), new String(answer.body(), StandardCharsets.UTF_8));
    }
    io().out().write(answer.body());
    io().out().flush();
    if (answer.statusCode() / 100 != 2) {
      io().err().println("dcloud: " + name + " answered HTTP " + answer.statusCode());
      return ExitCodes.ERROR;
    }
    return ExitCodes.OK;
  }

  private HttpRequest.BodyPublisher body() throws IOException {
    if (data != null) {
      return HttpRequest.BodyPublishers.ofString(data, StandardCharsets.UTF_8);
    }
    if (file == null) {
      return HttpRequest.BodyPublishers.noBody();
    }
    if (file.equals("-")) {
      try (InputStream stdin = io().in()) {
        return HttpRequest.BodyPublishers.ofByteArray(stdin.readAllBytes());
      }
    }
    try {
      return HttpRequest.BodyPublishers.ofByteArray(Files.readAllBytes(Path.of(file)));
    } catch (NoSuchFileException e) {
      throw CliException.usage("no such file: " + file);
    }
  }
}
