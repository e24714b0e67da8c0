package io.dcloud.gateway.service;

import io.dcloud.service.ServiceEntity;
import io.dcloud.service.ServiceView;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This gateway's copy of the views of the services it calls, so a call costs no cluster ask: a view
 * older than {@code dcloud.services.routing.refresh-interval} is still used while one ask (never more
 * at once) brings the next, and a failed call asks at once ({@link #refresh}). Only services that
 * exist are kept: a name nobody has is asked each time (its callers get 404s, and cannot fill memory).
 */
final class ServiceDirectory {
  private static final Logger log = LoggerFactory.getLogger(ServiceDirectory.class);

  private final Function<String, CompletionStage<ServiceEntity.Reply>> fetch;
  private final long refreshNanos;
  private final LongSupplier nanoTime;
  /** Told of the ids of replicas a refreshed view no longer has. */
  private final Consumer<Collection<String>> replicasGone;
  private final Map<String, Entry> entries = new ConcurrentHashMap<>();
  /** The ask on its way for a service, if any: callers without a cached view share it. */
  private final Map<String, AtomicReference<CompletableFuture<Optional<ServiceView>>>> asking = new ConcurrentHashMap<>();

  ServiceDirectory(
      Function<String, CompletionStage<ServiceEntity.Reply>> fetch, ServiceCallSettings settings, LongSupplier nanoTime,
      Consumer<Collection<String>> replicasGone) {
    this.fetch = fetch;
    this.refreshNanos = settings.refreshInterval().toNanos();
    this.nanoTime = nanoTime;
    this.replicasGone = replicasGone;
  }

  /** The service's view (empty: no such service, or being deleted); from the cache when there is one. */
  CompletionStage<Optional<ServiceView>> view(String name) {
    Entry entry = entries.get(name);
    if (entry == null) {
      return ask(name);
    }
    if (nanoTime.getAsLong() - entry.fetchedAt >= refreshNanos) {
      refresh(name);
    }
    return CompletableFuture.completedFuture(Optional.of(entry.view));
  }

  /** This gateway's copy of the service's view, if it has one; asks for nothing. */
  Optional<ServiceView> cached(String name) {
    return Optional.ofNullable(entries.get(name)).map(Entry::view);
  }

  /** Asks for the service's view now (unless an ask is already on its way), e.g. after a call to it failed. */
  void refresh(String name) {
    ask(name);
  }

  /** The service's view as its entity answers now (one on its way is shared), the cached one if it cannot. */
  CompletionStage<Optional<ServiceView>> fresh(String name) {
    return ask(name);
  }

  /** The replicas calls may go to. */
  static List<ServiceView.Replica> ready(ServiceView view) {
    return view.replicas().stream().filter(replica -> Boolean.TRUE.equals(replica.ready())).toList();
  }

  private CompletionStage<Optional<ServiceView>> ask(String name) {
    AtomicReference<CompletableFuture<Optional<ServiceView>>> slot =
        asking.computeIfAbsent(name, n -> new AtomicReference<>());
    CompletableFuture<Optional<ServiceView>> mine = new CompletableFuture<>();
    if (!slot.compareAndSet(null, mine)) {
      CompletableFuture<Optional<ServiceView>> theirs = slot.get();
      if (theirs != null) {
        return theirs;
      }
      return ask(name);
    }
    fetch.apply(name).whenComplete((reply, failure) -> {
      slot.set(null);
      asking.remove(name, slot);
      if (failure != null) {
        Entry known = entries.get(name);
        log.debug("Service {}: its view could not be refreshed ({}); {}", name, failure.toString(),
            known == null ? "none known" : "the last one stays in use");
        if (known == null) {
          mine.completeExceptionally(failure);
        } else {
          mine.complete(Optional.of(known.view));
        }
        return;
      }
      Optional<ServiceView> view = reply instanceof ServiceEntity.Ok ok && !ok.view().deleting()
          ? Optional.of(ok.view()) : Optional.empty();
      Entry previous = view.isPresent()
          ? entries.put(name, new Entry(view.get(), nanoTime.getAsLong()))
          : entries.remove(name);
      if (previous != null) {
        Set<String> gone = new HashSet<>();
        previous.view.replicas().forEach(replica -> gone.add(replica.id()));
        view.ifPresent(now -> now.replicas().forEach(replica -> gone.remove(replica.id())));
        if (!gone.isEmpty()) {
          replicasGone.accept(gone);
        }
      }
      mine.complete(view);
    });
    return mine;
  }

  private record Entry(ServiceView view, long fetchedAt) {}
}
