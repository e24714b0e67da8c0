package io.dcloud.gateway.dataset;

import io.dcloud.ask.Asks;
import io.dcloud.dataset.DatasetEntity;
import io.dcloud.dataset.DatasetIds;
import io.dcloud.dataset.DatasetState;
import io.dcloud.dataset.DatasetVersion;
import io.dcloud.gateway.common.DatasetBackends;
import io.dcloud.gateway.common.Problem;
import io.dcloud.gateway.common.ProblemException;
import io.dcloud.gateway.identity.UserRoutes;
import io.dcloud.identity.Caller;
import java.time.Duration;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.AskPattern;

/**
 * Asks the dataset entities and decides who may what: the owner and admins everything, readers
 * (users, or members of reader groups) reading; everyone else is told there is no such dataset
 * (404), so a name reveals nothing.
 */
public final class DatasetAccess {
  private final ActorSystem<?> system;
  private final DatasetBackends backends;
  private final Duration timeout;

  public DatasetAccess(ActorSystem<?> system, DatasetBackends backends, Duration timeout) {
    this.system = system;
    this.backends = backends;
    this.timeout = timeout;
  }

  public DatasetBackends backends() {
    return backends;
  }

  /** {@code category/db/name}, each part checked (a 422 naming the part). */
  static String id(String category, String db, String name) {
    check("category", category);
    check("db", db);
    check("name", name);
    return DatasetIds.of(category, db, name);
  }

  private static void check(String field, String value) {
    String problem = DatasetIds.problemWith(value);
    if (problem != null) {
      throw UserRoutes.invalid(field, problem);
    }
  }

  public <R> CompletionStage<R> ask(String id, Function<ActorRef<R>, DatasetEntity.Command> command, Duration within) {
    return Asks.completedOn(
        AskPattern.ask(backends.entities().apply(id), command::apply, within, system.scheduler()),
        system.executionContext());
  }

  public <R> CompletionStage<R> ask(String id, Function<ActorRef<R>, DatasetEntity.Command> command) {
    return ask(id, command, timeout);
  }

  /** The dataset, when it exists and the caller may read it; else 404. */
  public CompletionStage<DatasetState> readable(String id, Caller caller) {
    return this.<DatasetState>ask(id, DatasetEntity.Get::new).thenApply(state -> {
      if (!state.exists() || !mayRead(state, caller)) {
        throw Problem.notFound("dataset " + id).exception();
      }
      return state;
    });
  }

  /** The dataset, when the caller may change it; a reader gets 403, anyone else 404. */
  public CompletionStage<DatasetState> owned(String id, Caller caller) {
    return readable(id, caller).thenApply(state -> {
      if (!caller.mayAccess(state.owner())) {
        throw Problem.of(Problem.Type.FORBIDDEN, "dataset " + id + " is " + state.owner()
            + "'s: readers may not change it").exception();
      }
      return state;
    });
  }

  public static boolean mayRead(DatasetState state, Caller caller) {
    return caller.isAdmin() || state.readableBy(caller.username(), caller.groups());
  }

  /** {@code ?version=N}, or the latest when absent; 404 when there is no such version. */
  public static DatasetVersion version(DatasetState state, Integer wanted) {
    return (wanted == null ? state.latest() : state.version(wanted)).orElseThrow(() -> Problem.of(
        Problem.Type.NOT_FOUND, "dataset " + state.id() + " has no version " + wanted, "version",
        "names no version of the dataset").exception());
  }

  /** The query parameter {@code version}: a positive whole number. */
  static Integer versionParameter(java.util.Optional<String> raw) {
    if (raw.isEmpty()) {
      return null;
    }
    try {
      int version = Integer.parseInt(raw.get());
      if (version > 0) {
        return version;
      }
    } catch (NumberFormatException notANumber) {
      // the same answer as a negative one
    }
    throw UserRoutes.invalid("version", "must be a positive whole number");
  }

  /** What an entity's refusal means to the caller. */
  static ProblemException refused(DatasetEntity.Reply reply) {
    DatasetEntity.Refused refused = (DatasetEntity.Refused) reply;
    return switch (refused.reason()) {
      case NOT_FOUND -> Problem.of(Problem.Type.NOT_FOUND, refused.detail()).exception();
      case FORBIDDEN -> Problem.of(Problem.Type.FORBIDDEN, refused.detail()).exception();
      case CONFLICT -> Problem.conflict(refused.detail()).exception();
    };
  }
}
