package io.dcloud.gateway.dataset;

import io.dcloud.gateway.common.ClusterAsks;
import io.dcloud.gateway.common.Problem;
import io.dcloud.identity.Group;
import io.dcloud.identity.User;
import io.dcloud.identity.UserRegistry;
import io.dcloud.validation.FieldError;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;

/**
 * The users and groups made readers of a dataset must exist in the user registry, as a group's
 * members must: a misspelt name would otherwise grant nothing, silently. Unknown ones are a 422
 * naming them, per field.
 */
final class ReaderNames {
  private ReaderNames() {}

  /** Completes when every name exists; else fails with the 422. */
  static CompletionStage<Void> check(ClusterAsks asks, Set<String> users, Set<String> groups) {
    CompletionStage<List<String>> unknownUsers = unknown(asks, users, UserRegistry.ListUsers::new,
        reply -> ((UserRegistry.Users) reply).users().stream().map(User::username).toList());
    CompletionStage<List<String>> unknownGroups = unknown(asks, groups,
        replyTo -> new UserRegistry.ListGroups(null, replyTo),
        reply -> ((UserRegistry.Groups) reply).groups().stream().map(Group::name).toList());
    return unknownUsers.thenCombine(unknownGroups, (noUsers, noGroups) -> {
      List<FieldError> errors = new ArrayList<>();
      if (!noUsers.isEmpty()) {
        errors.add(new FieldError("users", "names no user: " + String.join(", ", noUsers)));
      }
      if (!noGroups.isEmpty()) {
        errors.add(new FieldError("groups", "names no group: " + String.join(", ", noGroups)));
      }
      if (!errors.isEmpty()) {
        throw Problem.invalid(errors).exception();
      }
      return null;
    });
  }

  /** Those of {@code names} the registry does not list, sorted; no ask when there are none. */
  private static CompletionStage<List<String>> unknown(ClusterAsks asks, Set<String> names,
      Function<org.apache.pekko.actor.typed.ActorRef<UserRegistry.Reply>, UserRegistry.Command> list,
      Function<UserRegistry.Reply, List<String>> known) {
    if (names.isEmpty()) {
      return CompletableFuture.completedFuture(List.of());
    }
    return asks.users(list).thenApply(reply -> {
      Set<String> existing = Set.copyOf(known.apply(reply));
      return names.stream().filter(name -> !existing.contains(name)).sorted().toList();
    });
  }
}
