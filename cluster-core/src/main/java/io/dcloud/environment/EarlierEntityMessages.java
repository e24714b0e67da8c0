package io.dcloud.environment;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.pekko.serialization.jackson.JacksonMigration;

/**
 * Reads the messages an earlier version's schedulers and nodes sent to environment entities,
 * during a rolling upgrade: each was a command of the entity itself ({@code
 * EnvironmentEntity$Placed}, {@code $ContainerReport}, …); now the scheduler's answers and the
 * node's reports are their own protocols, wrapped in {@link EnvironmentEntity.FromScheduler} and
 * {@link EnvironmentEntity.FromNode}. Bound by old class name in reference.conf.
 */
public final class EarlierEntityMessages {
  private EarlierEntityMessages() {}

  /** Wraps the old message's fields as {@code field} of {@code into}, naming its {@code kind} when given. */
  private abstract static class Wrapping extends JacksonMigration {
    private final Class<?> into;
    private final String field;
    private final String kind;

    Wrapping(Class<?> into, String field, String kind) {
      this.into = into;
      this.field = field;
      this.kind = kind;
    }

    @Override
    public int currentVersion() {
      return 2;
    }

    @Override
    public String transformClassName(int fromVersion, String className) {
      return into.getName();
    }

    @Override
    public JsonNode transform(int fromVersion, JsonNode json) {
      ObjectNode inner = ((ObjectNode) json).deepCopy();
      if (kind != null) {
        // The kind comes first, as the answer's own serializer writes it.
        ObjectNode named = JsonNodeFactory.instance.objectNode().put("kind", kind);
        named.setAll(inner);
        inner = named;
      }
      return JsonNodeFactory.instance.objectNode().set(field, inner);
    }
  }

  private abstract static class Answer extends Wrapping {
    Answer(String kind) {
      super(EnvironmentEntity.FromScheduler.class, "answer", kind);
    }
  }

  public static final class Placed extends Answer {
    public Placed() {
      super("granted");
    }
  }

  public static final class Queued extends Answer {
    public Queued() {
      super("waiting");
    }
  }

  public static final class Refused extends Answer {
    public Refused() {
      super("refused");
    }
  }

  public static final class NodeLost extends Answer {
    public NodeLost() {
      super("node-gone");
    }
  }

  public static final class Relocate extends Answer {
    public Relocate() {
      super("move-off");
    }
  }

  public static final class ContainerReport extends Wrapping {
    public ContainerReport() {
      super(EnvironmentEntity.FromNode.class, "report", null);
    }
  }
}
