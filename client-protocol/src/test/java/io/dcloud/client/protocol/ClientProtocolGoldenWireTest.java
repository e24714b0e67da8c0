package io.dcloud.client.protocol;

import io.dcloud.client.protocol.DCloudProtocol.Environment;
import io.dcloud.client.protocol.DCloudProtocol.FieldError;
import io.dcloud.client.protocol.DCloudProtocol.Port;
import io.dcloud.serialization.GoldenWireTestBase;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.stream.impl.streamref.SourceRefImpl;

/**
 * Every record of the client protocol as version 1 wrote it (see PROTOCOL.md): clients and gateways
 * of different versions meet on the wire, so what one wrote the other must read.
 */
class ClientProtocolGoldenWireTest extends GoldenWireTestBase {
  private static final Instant AT = Instant.parse("2026-11-30T10:00:00Z");
  private static final String TOKEN = "dcloud-api-token";
  private static final String ID = "6f1c1a8e-7a4b-4c55-9d55-2f7d0b0f4a10";

  @Override
  protected Map<String, Object> samples(ActorSystem<?> system) {
    ActorRef<DCloudProtocol.Reply> replyTo = system.deadLetters();
    Environment environment = new Environment(ID, "demo", "svc-reports", "RUNNING", "node-1", null, null,
        List.of(new Port(8888, "tcp", "127.0.0.1", 32768)), AT, AT.plusSeconds(30));
    Map<String, Object> s = new LinkedHashMap<>();
    s.put("client.v1.Create", new DCloudProtocol.Create(TOKEN, "name: demo\nos: debian\n", "nightly-1", replyTo));
    s.put("client.v1.Get", new DCloudProtocol.Get(TOKEN, ID, replyTo));
    s.put("client.v1.Stop", new DCloudProtocol.Stop(TOKEN, ID, replyTo));
    s.put("client.v1.Delete", new DCloudProtocol.Delete(TOKEN, ID, replyTo));
    s.put("client.v1.Watch", new DCloudProtocol.Watch(TOKEN, ID, replyTo));
    s.put("client.v1.Created", new DCloudProtocol.Created(ID, environment));
    s.put("client.v1.Found", new DCloudProtocol.Found(environment));
    s.put("client.v1.Accepted", new DCloudProtocol.Accepted(
        new Environment(ID, "demo", "svc-reports", "QUEUED", null, "no node has 64 cores free", 2, List.of(), AT, AT)));
    // A stream ref is written as the path of the actor serving it: the dead letters read back equal.
    s.put("client.v1.Watching", new DCloudProtocol.Watching(new SourceRefImpl<>(system.classicSystem().deadLetters())));
    s.put("client.v1.NotFound", new DCloudProtocol.NotFound(ID, "environment " + ID + " was not found"));
    s.put("client.v1.Refused", new DCloudProtocol.Refused("urn:dcloud:problem:validation-failed",
        "The request is not valid", "1 field is not valid: resources.ram",
        List.of(new FieldError("resources.ram", "\"lots\" is not a size: use e.g. 512M or 2G"))));
    s.put("client.v1.Environment", environment);
    return s;
  }

  /** Requests and replies: every one crosses the wire, so each needs a sample. */
  @Override
  protected List<Class<?>> persistedInterfaces() {
    return List.of(DCloudProtocol.Request.class, DCloudProtocol.Reply.class);
  }
}
