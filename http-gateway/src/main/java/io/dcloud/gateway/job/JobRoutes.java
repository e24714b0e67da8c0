package io.dcloud.gateway.job;

import com.fasterxml.jackson.databind.JsonNode;
import io.dcloud.ask.Asks;
import io.dcloud.dataset.DatasetVersion;
import io.dcloud.gateway.common.ApiPaths;
import io.dcloud.gateway.common.AuditLog;
import io.dcloud.gateway.common.CallerAttribute;
import io.dcloud.gateway.common.ClusterAsks;
import io.dcloud.gateway.common.IdPrefixes;
import io.dcloud.gateway.common.JobBackends;
import io.dcloud.gateway.common.JsonYaml;
import io.dcloud.gateway.common.NamePages;
import io.dcloud.gateway.common.Problem;
import io.dcloud.gateway.common.RequestBodies;
import io.dcloud.gateway.common.ServiceBackends;
import io.dcloud.gateway.dataset.DatasetAccess;
import io.dcloud.identity.Caller;
import io.dcloud.job.JobEntity;
import io.dcloud.job.JobIndex;
import io.dcloud.job.JobSpec;
import io.dcloud.job.JobStatus;
import io.dcloud.job.JobView;
import io.dcloud.service.ServiceDefinition;
import io.dcloud.service.ServiceEntity;
import io.dcloud.service.ServiceView;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import java.util.regex.Pattern;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCode;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.headers.Location;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.PathMatchers;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * {@code /jobs}: inference jobs over a dataset version through a model service (submit, list,
 * show, output, cancel). Who may submit: whoever may change the service (its owner, admins) and
 * read the input. A job is its owner's: others' answer 404 (admins see all).
 */
public final class JobRoutes extends AllDirectives {
  public static final String JOBS = "jobs";
  public static final String OUTPUT = "output";
  private static final Pattern JOB_ID = Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");

  private final ActorSystem<?> system;
  private final JobBackends jobs;
  private final ServiceBackends services;
  private final DatasetAccess datasets;
  private final JsonYaml codec;
  private final RequestBodies bodies;
  private final AuditLog audit;
  private final Duration timeout;

  public JobRoutes(ClusterAsks asks, JobBackends jobs, ServiceBackends services, DatasetAccess datasets, JsonYaml codec,
      RequestBodies bodies, AuditLog audit) {
    this.system = asks.system();
    this.jobs = jobs;
    this.services = services;
    this.datasets = datasets;
    this.codec = codec;
    this.bodies = bodies;
    this.audit = audit;
    this.timeout = asks.timeout();
  }

  public Route route() {
    return pathPrefix(JOBS, () -> CallerAttribute.of(caller -> concat(
        pathEndOrSingleSlash(() -> concat(
            get(() -> parameterOptional(IdPrefixes.PARAMETER, idPrefix -> parameterOptional("limit", limit ->
                parameterOptional("continue", token ->
                    completeWithFuture(list(caller, IdPrefixes.parse(idPrefix), NamePages.parse(limit, token))))))),
            post(() -> bodies.document(body -> completeWithFuture(submit(body, caller)))))),
        pathPrefix(PathMatchers.segment(), id -> concat(
            pathEndOrSingleSlash(() -> concat(
                get(() -> completeWithFuture(owned(id, caller).thenApply(view -> json(StatusCodes.OK, view)))),
                delete(() -> completeWithFuture(cancel(id, caller))))),
            path(OUTPUT, () -> get(() -> completeWithFuture(output(id, caller)))))))));
  }

  private CompletionStage<HttpResponse> submit(JsonNode body, Caller caller) {
    JobRequests.Submission asked = JobRequests.parse(body);
    return service(asked.service(), caller)
        .thenCompose(service -> datasets.readable(asked.dataset(), caller))
        .thenCompose(input -> {
          DatasetVersion version = DatasetAccess.version(input, asked.version());
          String id = UUID.randomUUID().toString();
          JobSpec spec = new JobSpec(asked.service(), asked.dataset(), version, asked.batchSize());
          return job(id, replyTo -> new JobEntity.Submit(spec, caller.username(), replyTo));
        })
        .thenApply(reply -> {
          JobView view = viewOf(reply);
          audit.record(caller, "job.submit", view.id(), "dataset " + view.dataset() + " version " + view.version()
              + " through service " + view.service());
          return json(StatusCodes.ACCEPTED, view)
              .addHeader(Location.create(ApiPaths.ROOT + "/" + JOBS + "/" + view.id()));
        });
  }

  /** The model service the caller may run a job through: 404 for others' (as GET), 409 for an app. */
  private CompletionStage<ServiceView> service(String name, Caller caller) {
    return Asks.completedOn(services.services().apply(name).<ServiceEntity.Reply>ask(ServiceEntity.Get::new, timeout),
        system.executionContext()).thenApply(reply -> {
          if (!(reply instanceof ServiceEntity.Ok ok) || ok.view().deleting() || !caller.mayAccess(ok.view().owner())) {
            throw Problem.of(Problem.Type.NOT_FOUND, "service " + name + " was not found", JobRequests.SERVICE,
                "names no service of yours").exception();
          } else if (ok.view().kind() != ServiceDefinition.Kind.MODEL) {
            throw Problem.conflict("service " + name + " is an app: jobs run through model services").exception();
          }
          return ok.view();
        });
  }

  /**
   * Newest first, in the order the job index registered them (a page at a time when a limit is
   * given), those whose id starts with {@code idPrefix} only when it is given: only the page's jobs
   * are asked how they are.
   */
  private CompletionStage<HttpResponse> list(Caller caller, String idPrefix, NamePages pages) {
    return Asks.completedOn(AskPattern.<JobIndex.Command, JobIndex.Jobs>ask(jobs.index(),
            replyTo -> new JobIndex.ListJobs(caller.isAdmin() ? null : caller.username(), replyTo), timeout,
            system.scheduler()), system.executionContext())
        .thenCompose(listed -> {
          List<String> newestFirst = new ArrayList<>(listed.jobs().stream()
              .map(JobIndex.Entry::id)
              .filter(id -> idPrefix == null || id.startsWith(idPrefix))
              .toList());
          Collections.reverse(newestFirst);
          NamePages.Page page = pages.inOrder(newestFirst);
          List<CompletableFuture<JobEntity.Reply>> replies = page.names().stream()
              .map(id -> job(id, JobEntity.Get::new).toCompletableFuture()).toList();
          return CompletableFuture.allOf(replies.toArray(CompletableFuture[]::new)).thenApply(all -> new JobJson.Listing(
              replies.stream()
                  .map(CompletableFuture::join)
                  .filter(JobEntity.Ok.class::isInstance)
                  .map(reply -> JobJson.of(((JobEntity.Ok) reply).view()))
                  .toList(),
              page.next()));
        })
        .thenApply(listing -> codec.jsonResponse(StatusCodes.OK, listing));
  }

  private CompletionStage<HttpResponse> cancel(String id, Caller caller) {
    return owned(id, caller)
        .thenCompose(view -> job(id, replyTo -> new JobEntity.Cancel(caller.username(), replyTo)))
        .thenApply(reply -> {
          JobView view = viewOf(reply);
          audit.record(caller, "job.cancel", id, "ok");
          return json(StatusCodes.OK, view);
        });
  }

  /** The output's lines (line i: the prediction of record i), streamed from its dataset version. */
  private CompletionStage<HttpResponse> output(String id, Caller caller) {
    return owned(id, caller).thenCompose(view -> {
      if (view.status() != JobStatus.SUCCEEDED) {
        throw Problem.conflict("job " + id + " is " + view.status() + ": its output exists once it SUCCEEDED").exception();
      }
      return datasets.readable(view.outputDataset(), caller).thenApply(state -> {
        DatasetVersion version = DatasetAccess.version(state, view.outputVersion());
        audit.record(caller, "job.output", id, "dataset " + view.outputDataset() + " version " + version.version());
        return HttpResponse.create().withStatus(StatusCodes.OK).withEntity(HttpEntities.create(
            ContentTypes.parse(JobEntity.OUTPUT_CONTENT_TYPE), version.size(),
            datasets.backends().blobs().read(version.blobId(), version.size(), version.sha256())));
      });
    });
  }

  /** The job, when the caller may see it; else the 404 a missing one gets. */
  private CompletionStage<JobView> owned(String id, Caller caller) {
    if (!JOB_ID.matcher(id).matches()) {
      return CompletableFuture.failedFuture(Problem.notFound("job " + id).exception());
    }
    return job(id, JobEntity.Get::new).thenApply(reply -> {
      if (!(reply instanceof JobEntity.Ok ok) || !caller.mayAccess(ok.view().owner())) {
        throw Problem.notFound("job " + id).exception();
      }
      return ok.view();
    });
  }

  private static JobView viewOf(JobEntity.Reply reply) {
    if (reply instanceof JobEntity.Ok ok) {
      return ok.view();
    } else if (reply instanceof JobEntity.Conflict conflict) {
      throw Problem.conflict(conflict.reason()).exception();
    }
    throw Problem.notFound("the job").exception();
  }

  private CompletionStage<JobEntity.Reply> job(String id, Function<ActorRef<JobEntity.Reply>, JobEntity.Command> command) {
    return Asks.completedOn(jobs.jobs().apply(id).ask(command::apply, timeout), system.executionContext());
  }

  private HttpResponse json(StatusCode status, JobView view) {
    return codec.jsonResponse(status, JobJson.of(view));
  }
}
