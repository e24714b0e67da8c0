package io.dcloud.gateway.common;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.MissingNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.http.javadsl.model.ContentType;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpCharsets;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.MediaType;
import org.apache.pekko.http.javadsl.model.MediaTypes;
import org.apache.pekko.http.javadsl.model.StatusCode;
import org.apache.pekko.serialization.jackson.JacksonObjectMapperProvider;
import org.apache.pekko.util.ByteString;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;

/**
 * Reading request bodies as JSON or YAML into one tree (the contract parsers work on trees, so both
 * formats are checked by the same code), and writing JSON and YAML answers.
 *
 * <p>The mappers start from Pekko's configured Jackson setup (java.time as ISO-8601 text, records
 * by parameter names) and are stricter on input than Jackson's defaults: a duplicate key or a second
 * document after the first is a malformed body, not a silent "last one wins".
 */
public final class JsonYaml {

  /** The binding whose Pekko Jackson settings (modules, features, read limits) the gateway reuses. */
  private static final String PEKKO_JACKSON_BINDING = "jackson-json";

  /** A parser's message can quote a long stretch of input; the problem keeps the start of it. */
  private static final int MAX_PARSER_MESSAGE_CHARS = 300;
  /**
   * Some parser messages quote the Java exception underneath ("java.io.CharConversionException:
   * Invalid UTF-8 start byte", from YAML bodies that are not UTF-8): clients get the words, not our classes.
   */
  private static final Pattern JAVA_EXCEPTION_NAME = Pattern.compile("\\b(?:[a-z][a-z0-9_]*\\.)+[A-Z]\\w*(?:Exception|Error): ");

  static final MediaType.WithOpenCharset APPLICATION_YAML = MediaTypes.applicationWithOpenCharset("yaml", "yaml", "yml");
  public static final ContentType.WithCharset YAML_UTF8 = APPLICATION_YAML.toContentType(HttpCharsets.UTF_8);

  /** The formats a body may come in, and the media types that name each. */
  public enum BodyFormat {
    JSON("JSON", List.of("application/json")),
    YAML("YAML", List.of("application/yaml", "application/x-yaml", "text/yaml"));

    final String label;
    final List<String> mediaTypes;

    BodyFormat(String label, List<String> mediaTypes) {
      this.label = label;
      this.mediaTypes = mediaTypes;
    }

    /** Parameters such as {@code charset} do not matter: Jackson detects UTF-8/16/32 itself. */
    static Optional<BodyFormat> of(MediaType mediaType) {
      String name = (mediaType.mainType() + "/" + mediaType.subType()).toLowerCase(Locale.ROOT);
      for (BodyFormat format : values()) {
        if (format.mediaTypes.contains(name)) {
          return Optional.of(format);
        }
      }
      return Optional.empty();
    }

    /** Every accepted media type, for the 415 answer. */
    static List<MediaType> accepted() {
      return Arrays.stream(values())
          .flatMap(format -> format.mediaTypes.stream())
          .map(name -> name.split("/", 2))
          .map(parts -> (MediaType) MediaTypes.customWithOpenCharset(parts[0], parts[1], Map.of(), false))
          .toList();
    }
  }

  private final ObjectMapper json;
  private final ObjectMapper yaml;

  private JsonYaml(ObjectMapper json, ObjectMapper yaml) {
    this.json = json;
    this.yaml = yaml;
  }

  public static JsonYaml create(ActorSystem<?> system) {
    JacksonObjectMapperProvider provider = JacksonObjectMapperProvider.get(system);
    ObjectMapper json = strict(provider.create(PEKKO_JACKSON_BINDING, Optional.empty()));
    ObjectMapper yaml = strict(provider.create(PEKKO_JACKSON_BINDING, Optional.of(new YAMLFactory())));
    return new JsonYaml(json, yaml);
  }

  private static ObjectMapper strict(ObjectMapper mapper) {
    return mapper
        .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION.mappedFeature())
        .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
        // Pekko's settings already say so; restated because the API's date format must not depend on them.
        .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);
  }

  /** The JSON mapper, for building trees ({@code toContract}, manifests) and writing answers. */
  public ObjectMapper mapper() {
    return json;
  }

  /**
   * The body as a tree; a {@link MissingNode} when it holds no document at all.
   *
   * @throws ProblemException 400 naming the line and column where the body stops being JSON/YAML
   */
  public JsonNode read(BodyFormat format, ByteString body) {
    ObjectMapper mapper = format == BodyFormat.JSON ? json : yaml;
    try {
      JsonNode root = mapper.readTree(body.toArray());
      return root == null ? MissingNode.getInstance() : root;
    } catch (JsonProcessingException e) {
      if (e.getCause() instanceof MarkedYAMLException yamlError && yamlError.getProblemMark() != null) {
        throw malformed(format, yamlReason(yamlError)).exception();
      }
      throw malformed(format, where(e.getLocation()) + shorten(e.getOriginalMessage())).exception();
    } catch (IOException | RuntimeException e) {
      // SnakeYAML reports some limits (nesting depth, alias count) with its own exceptions.
      throw malformed(format, shorten(e.getMessage())).exception();
    }
  }

  private static String where(JsonLocation location) {
    return location == null || location.getLineNr() < 1
        ? ""
        : "line " + location.getLineNr() + ", column " + location.getColumnNr() + ": ";
  }

  /**
   * SnakeYAML's own message repeats the input around the error; its parts read better: the problem
   * where it was found, and what was being parsed where (marks count from 0, people from 1).
   */
  private static String yamlReason(MarkedYAMLException error) {
    Mark problemAt = error.getProblemMark();
    String reason = "line " + (problemAt.getLine() + 1) + ", column " + (problemAt.getColumn() + 1) + ": "
        + shorten(error.getProblem());
    if (error.getContext() != null) {
      Mark contextAt = error.getContextMark();
      reason += " (" + shorten(error.getContext())
          + (contextAt == null ? "" : " at line " + (contextAt.getLine() + 1) + ", column " + (contextAt.getColumn() + 1))
          + ")";
    }
    return reason;
  }

  private static Problem malformed(BodyFormat format, String reason) {
    return Problem.of(
        Problem.Type.MALFORMED_REQUEST, "the body is not valid " + format.label + " (" + reason + ")", "body", reason);
  }

  private static String shorten(String message) {
    if (message == null || message.isBlank()) {
      return "unreadable input";
    }
    String oneLine = JAVA_EXCEPTION_NAME.matcher(message.strip().replaceAll("\\s+", " ")).replaceAll("");
    return oneLine.length() > MAX_PARSER_MESSAGE_CHARS ? oneLine.substring(0, MAX_PARSER_MESSAGE_CHARS) + "…" : oneLine;
  }

  public HttpResponse jsonResponse(StatusCode status, Object body) {
    return HttpResponse.create().withStatus(status).withEntity(HttpEntities.create(ContentTypes.APPLICATION_JSON, toJson(body)));
  }

  public byte[] toJson(Object body) {
    try {
      return json.writeValueAsBytes(body);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write " + body.getClass().getSimpleName() + " as JSON", e);
    }
  }

  public String toJsonString(Object body) {
    return new String(toJson(body), StandardCharsets.UTF_8);
  }

  /** Several YAML documents, each starting with {@code ---}, as Kubernetes' tools expect. */
  public String toYamlDocuments(List<? extends JsonNode> documents) {
    StringBuilder out = new StringBuilder();
    for (JsonNode document : documents) {
      try {
        out.append(yaml.writeValueAsString(document));
      } catch (JsonProcessingException e) {
        throw new UncheckedIOException(e);
      }
    }
    return out.toString();
  }
}
