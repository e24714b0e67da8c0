package io.dcloud.testing;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A real model for the end-to-end tests: a scikit-learn logistic regression of the iris data (which
 * scikit-learn ships: nothing is downloaded) trained here by {@code /usr/bin/python3}, the requests
 * a test sends it and the predictions the model itself gives for them, and how a test pushes it.
 */
public final class IrisModel {
  public static final String PYTHON = "/usr/bin/python3";
  public static final String CONTRACT = """
      FEATURES = ["sepal_length", "sepal_width", "petal_length", "petal_width"]


      def preprocess(request):
          return [float(request[feature]) for feature in FEATURES]


      def postprocess(prediction):
          return {"class": int(prediction)}
      """;
  /** argv: the artifact, max_iter, and where the requests and the model's own predictions go. */
  private static final String TRAIN = """
      import json, sys, joblib
      from sklearn.datasets import load_iris
      from sklearn.linear_model import LogisticRegression
      iris = load_iris()
      model = LogisticRegression(max_iter=int(sys.argv[2])).fit(iris.data, iris.target)
      joblib.dump(model, sys.argv[1])
      names = ["sepal_length", "sepal_width", "petal_length", "petal_width"]
      rows = [iris.data[i] for i in range(0, 150, 7)]
      json.dump([dict(zip(names, map(float, row))) for row in rows], open(sys.argv[3], "w"))
      json.dump([{"class": int(p)} for p in model.predict(rows)], open(sys.argv[4], "w"))
      """;
  private static final ObjectMapper JSON = new ObjectMapper();

  /** The artifact, requests (one JSON object each), and the model's own answers to them, in order. */
  public record Trained(Path artifact, ArrayNode instances, JsonNode expected) {
    /** The requests {@code rounds} times over as JSON lines (a job's input), and the predictions expected, in order. */
    public JobInput asJobInput(int rounds) {
      StringBuilder records = new StringBuilder();
      List<JsonNode> predictions = new ArrayList<>();
      for (int round = 0; round < rounds; round++) {
        for (int i = 0; i < instances.size(); i++) {
          records.append(instances.get(i)).append('\n');
          predictions.add(expected.get(i));
        }
      }
      return new JobInput(records.toString(), predictions);
    }
  }

  /** A job's input of JSON lines and what its output should be, line by line. */
  public record JobInput(String records, List<JsonNode> expected) {}

  private IrisModel() {}

  /** Fails under CI=true, skips elsewhere, without Debian's python3-sklearn and python3-joblib. */
  public static void requirePython() throws Exception {
    boolean present = Files.isExecutable(Path.of(PYTHON))
        && new ProcessBuilder(PYTHON, "-c", "import sklearn, joblib").redirectErrorStream(true).start().waitFor() == 0;
    Requirements.requireOrSkip(present, () -> PYTHON + " with scikit-learn and joblib is missing: "
        + "apt-get install python3-sklearn python3-joblib");
  }

  /** Trains in {@code directory}; another {@code maxIter} makes another artifact (another version). */
  public static Trained train(Path directory, int maxIter) throws Exception {
    Path artifact = directory.resolve("iris-" + maxIter + ".joblib");
    Path instances = directory.resolve("instances-" + maxIter + ".json");
    Path expected = directory.resolve("expected-" + maxIter + ".json");
    Process training = new ProcessBuilder(PYTHON, "-c", TRAIN, artifact.toString(), Integer.toString(maxIter),
        instances.toString(), expected.toString()).redirectErrorStream(true).start();
    String output = new String(training.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(training.waitFor()).as("training the model:\n" + output).isZero();
    return new Trained(artifact, (ArrayNode) JSON.readTree(instances.toFile()), JSON.readTree(expected.toFile()));
  }

  /** A model config of {@code replicas} small replicas; {@code more}: further fields ("" or starting with a comma). */
  public static String config(String name, int replicas, String more) {
    return "{\"name\": \"" + name + "\", \"runtime\": {\"language-name\": \"python\", \"libraries\": [\"scikit-learn\"]},"
        + " \"resources\": {\"ram\": \"512M\", \"cpu\": \"0.5\"}, \"replicas\": " + replicas + more + "}";
  }

  /** {@code POST /api/v1/models} of this model; the version it made. */
  public static int push(ApiSession api, Path artifact, String config) throws Exception {
    return ModelPush.push(api, "model.joblib", artifact, CONTRACT, config);
  }
}
