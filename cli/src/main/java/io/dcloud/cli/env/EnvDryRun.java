package io.dcloud.cli.env;

import com.fasterxml.jackson.databind.JsonNode;
import io.dcloud.cli.common.ExitCodes;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code env create -f FILE --dry-run}: the gateway's dry run ({@code POST /environments?dryRun=true})
 * printed for people — the request as YAML, the Dockerfile that would be built, where it would be
 * placed and why — creating nothing. Exits as the create would be answered: a request no node could
 * ever hold is refused with a 422, so {@code never} exits {@link ExitCodes#USAGE}.
 */
final class EnvDryRun {
  static final String PATH = "/environments?dryRun=true";

  private EnvDryRun() {}

  static int print(JsonNode answer, PrintStream out) {
    out.println("== request (YAML) ==");
    out.print(endingInNewline(answer.path("yaml").asText()));
    out.println("== Dockerfile ==");
    out.print(endingInNewline(answer.path("dockerfile").asText()));
    out.println("== placement ==");
    JsonNode placement = answer.path("placement");
    String outcome = placement.path("outcome").asText();
    out.println(outcome + where(placement) + ": " + placement.path("reason").asText());
    return "never".equals(outcome) ? ExitCodes.USAGE : ExitCodes.OK;
  }

  /** " on NODE with GPUs A, B" when it fits; nothing otherwise. */
  private static String where(JsonNode placement) {
    if (!placement.path("node").isTextual()) {
      return "";
    }
    List<String> gpus = new ArrayList<>();
    placement.path("gpus").forEach(gpu -> gpus.add(gpu.asText()));
    return " on " + placement.path("node").asText() + (gpus.isEmpty() ? "" : " with GPUs " + String.join(", ", gpus));
  }

  private static String endingInNewline(String text) {
    return text.isEmpty() || text.endsWith("\n") ? text : text + "\n";
  }
}
