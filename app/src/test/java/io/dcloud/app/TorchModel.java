package io.dcloud.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import io.dcloud.testing.IrisModel;
import io.dcloud.testing.Requirements;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A small torch network saved as TorchScript by {@code /usr/bin/python3} (Debian's python3-torch;
 * random weights, seeded: nothing is downloaded), the requests a test sends it and what the network
 * answers to them here, postprocessed as its contract does.
 */
final class TorchModel {
  static final String CONTRACT = """
      def preprocess(request):
          return request["x"]


      def postprocess(prediction):
          return {"scores": prediction}
      """;
  /** argv: the artifact, the requests, the expected answers. */
  private static final String TRAIN = """
      import json, sys, torch
      torch.manual_seed(14)
      module = torch.nn.Sequential(torch.nn.Linear(4, 8), torch.nn.ReLU(), torch.nn.Linear(8, 3))
      torch.jit.script(module).save(sys.argv[1])
      rows = [[float(v) for v in torch.randn(4).tolist()] for _ in range(5)]
      with torch.no_grad():
          scores = module(torch.tensor(rows, dtype=torch.float32)).tolist()
      json.dump([{"x": row} for row in rows], open(sys.argv[2], "w"))
      json.dump([{"scores": s} for s in scores], open(sys.argv[3], "w"))
      """;
  private static final ObjectMapper JSON = new ObjectMapper();

  record Trained(Path artifact, ArrayNode instances, JsonNode expected) {}

  private TorchModel() {}

  static Trained train(Path directory) throws Exception {
    boolean present = new ProcessBuilder(IrisModel.PYTHON, "-c", "import torch").redirectErrorStream(true).start()
        .waitFor() == 0;
    Requirements.requireOrSkip(present, () -> IrisModel.PYTHON + " with torch is missing: apt-get install python3-torch");
    Path artifact = directory.resolve("tiny.pt");
    Path instances = directory.resolve("torch-instances.json");
    Path expected = directory.resolve("torch-expected.json");
    Process training = new ProcessBuilder(IrisModel.PYTHON, "-c", TRAIN, artifact.toString(), instances.toString(),
        expected.toString()).redirectErrorStream(true).start();
    String output = new String(training.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(training.waitFor()).as("saving the TorchScript network:\n" + output).isZero();
    return new Trained(artifact, (ArrayNode) JSON.readTree(instances.toFile()), JSON.readTree(expected.toFile()));
  }
}
