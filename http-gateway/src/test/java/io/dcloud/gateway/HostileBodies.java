package io.dcloud.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Tuple;

/**
 * Request bodies a hostile or careless client sends: a route's valid document with one value
 * replaced by anything JSON holds (or a field removed, or an unknown one added), random JSON trees,
 * text that is not JSON or YAML (truncated, deeply nested, YAML aliases and tags, bad UTF-8), and
 * a valid document under the wrong content type. Bodies over dcloud.http.max-body are left out: the
 * gateway answers 413 before reading them, and the client, still writing, may see the connection
 * close instead (RequestProblemsTest covers the limit).
 */
final class HostileBodies {
  private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

  /** What is sent: the content type (null: no header) and the bytes. */
  record Body(String contentType, byte[] bytes) {
    static Body json(String text) {
      return new Body(Api.JSON, text.getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public String toString() {
      String text = new String(bytes, StandardCharsets.UTF_8);
      return contentType + ", " + bytes.length + " bytes: " + (text.length() > 300 ? text.substring(0, 300) + "…" : text);
    }
  }

  /** Texts too costly to build each try; picked by index (jqwik hashes what it picks from). */
  private static final List<String> MALFORMED = List.of(
      "[".repeat(100_000),
      "{\"a\":".repeat(20_000) + "1" + "}".repeat(20_000),
      "[".repeat(2_000) + "]".repeat(2_000),
      "9".repeat(100_000),
      "{\"cpu\": " + "1".repeat(5_000) + "}",
      "{\"cpu\": 1e999999999}",
      "{\"a\": \"" + "x".repeat(200_000) + "\"}",
      "{\"a\": 1, \"a\": 2}",
      "{'single': 'quotes'}",
      "{\"a\": NaN}",
      "{\"a\": 1} trailing",
      "// comment\n{}",
      "\u0000\u0000",
      "   ",
      "null",
      "\"just a string\"",
      "-0",
      "[]");

  private static final List<String> YAML = List.of(
      "a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
          + "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]\n"
          + "e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]\nf: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e]\n",
      "a: &a\n  b: *a\n",
      "!!javax.script.ScriptEngineManager [!!java.net.URLClassLoader [[!!java.net.URL [\"http://127.0.0.1:1/\"]]]]",
      "env-name: !!binary aGVsbG8=\nos: debian\n",
      "--- {a: 1}\n--- {b: 2}\n",
      "? [complex, key]\n: value\n",
      "env-name: x\n\tos: debian\n",
      "env-name: [unclosed\n",
      "a: b: c\n",
      "*undefined\n",
      "- " .repeat(5_000) + "x\n",
      "env-name: x\nos: debian\nenv-name: y\n",
      "%YAML 9.9\n---\na: 1\n");

  private static final List<String> CONTENT_TYPES = List.of(
      "text/plain", "application/xml", "application/octet-stream", "application/x-www-form-urlencoded",
      "multipart/form-data; boundary=x", "application/jsonx", "application/json; charset=utf-16", "image/png");

  private HostileBodies() {}

  /** Hostile bodies aimed at a route whose valid document is {@code valid} (JSON). */
  static Arbitrary<Body> against(String valid) {
    JsonNode document = Api.parse(valid);
    List<String> paths = new ArrayList<>();
    collect(document, "", paths);
    return Arbitraries.frequencyOf(
        Tuple.of(6, mutated(document, paths)),
        Tuple.of(2, values().map(node -> Body.json(Api.write(node)))),
        Tuple.of(2, malformed(valid)),
        Tuple.of(1, wrongContentType(valid)));
  }

  /** The valid document with 1 to 3 places replaced, removed or given an unknown sibling. */
  private static Arbitrary<Body> mutated(JsonNode document, List<String> paths) {
    Arbitrary<Integer> place = Arbitraries.integers().between(0, paths.size() - 1);
    Arbitrary<Integer> how = Arbitraries.integers().between(0, 9);
    return Combinators.combine(place, how, values()).as(Change::new)
        .list().ofMinSize(1).ofMaxSize(3)
        .map(changes -> {
          JsonNode copy = document.deepCopy();
          for (Change change : changes) {
            copy = change(copy, paths.get(change.place()), change.kind(), change.value());
          }
          return Body.json(Api.write(copy));
        });
  }

  /** At the {@code place}-th path: kind 0 removes, 1 adds an unknown sibling, any other replaces. */
  private record Change(int place, int kind, JsonNode value) {}

  private static JsonNode change(JsonNode root, String path, int kind, JsonNode value) {
    if (path.isEmpty()) {
      return value;
    }
    int slash = path.lastIndexOf('/');
    JsonNode parent = root.at(path.substring(0, slash));
    String last = path.substring(slash + 1);
    if (parent instanceof ObjectNode object) {
      if (kind == 0) {
        object.remove(last);
      } else if (kind == 1) {
        object.set("unknown-" + last, value);
      } else {
        object.set(last, value);
      }
    } else if (parent instanceof ArrayNode array && last.matches("\\d+") && Integer.parseInt(last) < array.size()) {
      if (kind == 0) {
        array.remove(Integer.parseInt(last));
      } else {
        array.set(Integer.parseInt(last), value);
      }
    }
    return root;
  }

  /** Anything JSON holds: scalars of every type and size, and trees of them. */
  static Arbitrary<JsonNode> values() {
    return Arbitraries.recursive(HostileBodies::scalars, HostileBodies::containers, 0, 3);
  }

  private static Arbitrary<JsonNode> scalars() {
    return Arbitraries.oneOf(
        Arbitraries.of(JSON.nullNode(), JSON.booleanNode(true), JSON.booleanNode(false), JSON.textNode("")),
        Arbitraries.longs().map(JSON::numberNode),
        Arbitraries.doubles().map(JSON::numberNode),
        Combinators.combine(Arbitraries.bigIntegers().between(BigInteger.TEN.pow(30).negate(), BigInteger.TEN.pow(30)),
                Arbitraries.integers().between(-500, 500))
            .as((unscaled, scale) -> JSON.numberNode(new BigDecimal(unscaled, scale))),
        Arbitraries.strings().all().ofMaxLength(30).map(JSON::textNode),
        Arbitraries.strings().withChars("0123456789.-+ eEkKmMgGtTiIdhs").ofMaxLength(20).map(JSON::textNode),
        Arbitraries.of("admin", "end-user", "data-scientist", "debian", "python", "1G", "0.5", "30d", "-1", "0",
                "1e400", "\uD800", "a\u0000b", "../../etc/passwd", "x".repeat(2_000), "9".repeat(400))
            .map(JSON::textNode));
  }

  private static Arbitrary<JsonNode> containers(Arbitrary<JsonNode> element) {
    Arbitrary<String> key = Arbitraries.oneOf(
        Arbitraries.of("name", "username", "password", "roles", "disabled", "cpu", "ram", "spec", "env-name", "os",
            "resources", "expiresIn", "languages", "description"),
        Arbitraries.strings().all().ofMaxLength(12));
    return Arbitraries.oneOf(
        element.list().ofMaxSize(4).map(items -> {
          ArrayNode array = JSON.arrayNode();
          items.forEach(array::add);
          return array;
        }),
        Combinators.combine(key, element).as(Tuple::of).list().ofMaxSize(4).map(fields -> {
          ObjectNode object = JSON.objectNode();
          fields.forEach(field -> object.set(field.get1(), field.get2()));
          return object;
        }));
  }

  /** Text that does not parse, or parses to what no route takes, sent as JSON or as YAML. */
  private static Arbitrary<Body> malformed(String valid) {
    Arbitrary<Body> truncated = Arbitraries.integers().between(1, valid.length() - 1)
        .map(at -> Body.json(valid.substring(0, at)));
    Arbitrary<Body> known = Arbitraries.integers().between(0, MALFORMED.size() - 1)
        .flatMap(i -> Arbitraries.of(Api.JSON, Api.YAML).map(type -> new Body(type, MALFORMED.get(i).getBytes(StandardCharsets.UTF_8))));
    Arbitrary<Body> yaml = Arbitraries.integers().between(0, YAML.size() - 1)
        .map(i -> new Body(Api.YAML, YAML.get(i).getBytes(StandardCharsets.UTF_8)));
    Arbitrary<Body> noise = Arbitraries.bytes().array(byte[].class).ofMaxSize(200)
        .flatMap(bytes -> Arbitraries.of(Api.JSON, Api.YAML).map(type -> new Body(type, bytes)));
    return Arbitraries.oneOf(truncated, known, yaml, noise);
  }

  private static Arbitrary<Body> wrongContentType(String valid) {
    return Arbitraries.of(CONTENT_TYPES).map(type -> new Body(type, valid.getBytes(StandardCharsets.UTF_8)));
  }

  /** JSON-pointer paths of every node below the root. */
  private static void collect(JsonNode node, String path, List<String> paths) {
    paths.add(path);
    if (node.isObject()) {
      for (Iterator<String> names = node.fieldNames(); names.hasNext(); ) {
        String name = names.next();
        collect(node.get(name), path + "/" + name, paths);
      }
    } else if (node.isArray()) {
      for (int i = 0; i < node.size(); i++) {
        collect(node.get(i), path + "/" + i, paths);
      }
    }
  }
}
