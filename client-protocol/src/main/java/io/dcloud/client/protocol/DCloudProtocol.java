package io.dcloud.client.protocol;

import java.time.Instant;
import java.util.List;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.receptionist.ServiceKey;
import org.apache.pekko.stream.SourceRef;

/**
 * Version 1 of what other services say to DCloud over actor messaging: a member of the cluster with
 * the role {@code client} finds a gateway node's client service under {@link #SERVICE_KEY} and sends
 * it {@link Request}s; each carries a DCloud API token, checked like the HTTP API's bearer token, and
 * is answered with one {@link Reply}. The rules of the HTTP API apply unchanged (roles, quotas,
 * ownership: another user's environment is {@link NotFound}). Compatibility promise: PROTOCOL.md.
 */
public sealed interface DCloudProtocol extends ProtocolSerializable {

  /** The protocol's name; a change that breaks its records would be {@code dcloud-client-v2}, served beside this. */
  String NAME = "dcloud-client-v1";

  /** The gateway nodes' client services register under this key with the Receptionist. */
  ServiceKey<Request> SERVICE_KEY = ServiceKey.create(Request.class, NAME);

  /** Every request: the token of the user it is made as, and where the one reply goes. */
  sealed interface Request extends DCloudProtocol {
    String token();

    ActorRef<Reply> replyTo();
  }

  /**
   * Creates an environment from its config in the contract form the HTTP API takes ({@code spec}:
   * a JSON or YAML document). {@code idempotencyKey} (nullable) works as the HTTP header of that
   * name: the same key of the same user always names the same environment. Answered {@link Created}.
   */
  record Create(String token, String spec, String idempotencyKey, ActorRef<Reply> replyTo) implements Request {
    @Override
    public String toString() {
      return "Create[spec of " + (spec == null ? 0 : spec.length()) + " chars, idempotencyKey=" + idempotencyKey + "]";
    }
  }

  /** The environment now: answered {@link Found}. */
  record Get(String token, String environmentId, ActorRef<Reply> replyTo) implements Request {
    @Override
    public String toString() {
      return "Get[" + environmentId + "]";
    }
  }

  /** Stops the environment's container (its volumes stay): answered {@link Accepted}. */
  record Stop(String token, String environmentId, ActorRef<Reply> replyTo) implements Request {
    @Override
    public String toString() {
      return "Stop[" + environmentId + "]";
    }
  }

  /** Removes the environment and its container: answered {@link Accepted}. */
  record Delete(String token, String environmentId, ActorRef<Reply> replyTo) implements Request {
    @Override
    public String toString() {
      return "Delete[" + environmentId + "]";
    }
  }

  /**
   * Follows the environment: answered {@link Watching}, whose stream gives the environment as it is,
   * then again at every change of its status, and ends after DELETED.
   */
  record Watch(String token, String environmentId, ActorRef<Reply> replyTo) implements Request {
    @Override
    public String toString() {
      return "Watch[" + environmentId + "]";
    }
  }

  /** What a request is answered with. */
  sealed interface Reply extends DCloudProtocol {}

  /** The environment was created under {@code id}; it is placed and started from here on (watch it). */
  record Created(String id, Environment environment) implements Reply {}

  /** The answer to {@link Get}. */
  record Found(Environment environment) implements Reply {}

  /** The stop or delete was accepted; {@code environment} shows the status it moved to. */
  record Accepted(Environment environment) implements Reply {}

  /** The environment's changes; the stream must be run within Pekko's stream-ref subscription timeout (30 s by default). */
  record Watching(SourceRef<Environment> changes) implements Reply {}

  /** No such environment, or none this token's user may see (others' environments are not disclosed). */
  record NotFound(String environmentId, String detail) implements Reply {}

  /**
   * Refused, with the problem the HTTP API answers the same request with: {@code type} is its
   * {@code urn:dcloud:problem:…} ({@code unauthenticated}, {@code forbidden}, {@code validation-failed},
   * {@code quota-exceeded}, {@code conflict}, {@code cluster-unavailable}, …), {@code errors} names each
   * field at fault in the contract's spelling (empty when no single field is to blame).
   */
  record Refused(String type, String title, String detail, List<FieldError> errors) implements Reply {
    public Refused {
      errors = errors == null ? List.of() : List.copyOf(errors);
    }
  }

  /** One field at fault and why. */
  record FieldError(String field, String reason) implements ProtocolSerializable {}

  /**
   * An environment as a client sees it. {@code status} is one of DCloud's statuses by name
   * (REQUESTED, QUEUED, PLACED, PREPARING, BUILDING, STARTING, RUNNING, STOPPING, STOPPED, FAILED, LOST,
   * DELETED; a later version may add more: read unknown ones as "in between"); {@code node}, {@code reason} and {@code
   * queuePosition} are null when they do not apply.
   */
  record Environment(
      String id,
      String name,
      String owner,
      String status,
      String node,
      String reason,
      Integer queuePosition,
      List<Port> ports,
      Instant createdAt,
      Instant updatedAt)
      implements ProtocolSerializable {
    public Environment {
      ports = ports == null ? List.of() : List.copyOf(ports);
    }
  }

  /** Where the environment's {@code containerPort} is reachable: {@code hostIp}:{@code hostPort} of its node. */
  record Port(int containerPort, String protocol, String hostIp, Integer hostPort) implements ProtocolSerializable {}
}
