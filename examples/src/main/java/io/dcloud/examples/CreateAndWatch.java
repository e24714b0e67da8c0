package io.dcloud.examples;

import io.dcloud.client.DCloudClient;
import io.dcloud.client.Environments;
import io.dcloud.client.protocol.DCloudProtocol;
import io.dcloud.client.protocol.DCloudProtocol.Environment;
import io.dcloud.client.protocol.DCloudProtocol.Reply;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.stream.javadsl.Sink;

/**
 * Another service, in a few lines: joins the cluster as a client, then as the user of the API token
 * in DCLOUD_TOKEN creates an environment from a spec file, watches it until it runs, prints it,
 * stops and deletes it, and watches it until it is gone. Where the cluster is and how to reach it (seed nodes, TLS stores) comes from
 * {@code dcloud.client} settings, e.g. {@code -Ddcloud.client.seed-nodes.0=pekko://dcloud@10.0.0.1:25520}.
 *
 * <pre>DCLOUD_TOKEN=... java -Ddcloud.client... io.dcloud.examples.CreateAndWatch environment.yaml</pre>
 *
 * Exit status: 0 done, 1 the environment did not run, 2 a request was refused, 64 bad usage.
 */
public final class CreateAndWatch {
  private static final Duration RUNNING_WITHIN = Duration.ofMinutes(10);
  private static final Duration ANSWER_WITHIN = Duration.ofMinutes(1);
  /** Where an environment stays unless someone acts: watching further is pointless. */
  private static final Set<String> SETTLED = Set.of("RUNNING", "FAILED", "STOPPED", "LOST", "DELETED");

  private CreateAndWatch() {}

  public static void main(String[] args) throws Exception {
    if (args.length != 1) {
      System.err.println("usage: CreateAndWatch <environment spec, JSON or YAML>  (token in DCLOUD_TOKEN)");
      System.exit(64);
    }
    String spec = Files.readString(Path.of(args[0]), StandardCharsets.UTF_8);
    int status;
    try (DCloudClient client = DCloudClient.start()) {
      status = run(client, client.environments(), spec);
    }
    System.exit(status);
  }

  private static int run(DCloudClient client, Environments environments, String spec) throws Exception {
    Reply created = answer(environments.create(spec));
    if (!(created instanceof DCloudProtocol.Created made)) {
      return refused("create", created);
    }
    System.out.println("created " + made.id());
    Environment settled = watch(client, environments, made.id(), SETTLED);
    if (settled == null) {
      return 2;
    }
    System.out.println("environment " + settled);
    int status = "RUNNING".equals(settled.status()) ? 0 : 1;
    Reply stopped = answer(environments.stop(made.id()));
    System.out.println("stop: " + describe(stopped));
    Reply deleted = answer(environments.delete(made.id()));
    System.out.println("delete: " + describe(deleted));
    if (!(deleted instanceof DCloudProtocol.Accepted)) {
      return 2;
    }
    // Deletion goes on after the answer (the container is stopped and removed first): see it end.
    Environment gone = watch(client, environments, made.id(), Set.of("DELETED"));
    if (gone == null) {
      return 2;
    }
    System.out.println("deleted " + gone.id());
    return status;
  }

  /** Watches until the environment's status is one of {@code until}; null (after printing why) when refused. */
  private static Environment watch(DCloudClient client, Environments environments, String id, Set<String> until)
      throws Exception {
    Reply watch = answer(environments.watch(id));
    if (!(watch instanceof DCloudProtocol.Watching watching)) {
      refused("watch", watch);
      return null;
    }
    return watching.changes().getSource()
        .takeWhile(environment -> !until.contains(environment.status()), true)
        .runWith(Sink.last(), client.system())
        .toCompletableFuture().get(RUNNING_WITHIN.toSeconds(), TimeUnit.SECONDS);
  }

  private static Reply answer(CompletionStage<Reply> reply) throws Exception {
    return reply.toCompletableFuture().get(ANSWER_WITHIN.toSeconds(), TimeUnit.SECONDS);
  }

  private static int refused(String what, Reply reply) {
    System.out.println(what + " refused: " + describe(reply));
    if (reply instanceof DCloudProtocol.Refused refusal) {
      refusal.errors().forEach(error -> System.out.println("  " + error.field() + ": " + error.reason()));
    }
    return 2;
  }

  private static String describe(Reply reply) {
    if (reply instanceof DCloudProtocol.Accepted accepted) {
      return "accepted, now " + accepted.environment().status();
    } else if (reply instanceof DCloudProtocol.Refused refusal) {
      return refusal.type() + " (" + refusal.detail() + ")";
    } else if (reply instanceof DCloudProtocol.NotFound notFound) {
      return "not found (" + notFound.detail() + ")";
    }
    return reply.toString();
  }
}
