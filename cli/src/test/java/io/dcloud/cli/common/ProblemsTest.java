package io.dcloud.cli.common;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ProblemsTest {
  @Test
  void printsTitleDetailAndEveryFieldErrorOnOneLine() {
    String body = """
        {"type": "urn:dcloud:problem:validation-failed", "title": "The environment config is invalid", "status": 422,
         "detail": "2 fields", "errors": [{"field": "resources.ram", "reason": "must be a size such as 8G"},
                                          {"field": "os", "reason": "unknown"}]}""";
    assertThat(Problems.describe(422, body))
        .isEqualTo("The environment config is invalid: 2 fields (resources.ram: must be a size such as 8G; os: unknown)");
    assertThat(Problems.toException(422, body).exitCode()).isEqualTo(ExitCodes.USAGE);
  }

  @Test
  void aProblemAboutOneFieldIsSaidOnce() {
    String body = """
        {"title": "Conflict with the current state", "status": 409, "detail": "controller \\"v-1\\" is already bound",
         "errors": [{"field": "devices", "reason": "controller \\"v-1\\" is already bound"}]}""";
    assertThat(Problems.describe(409, body))
        .isEqualTo("Conflict with the current state: devices: controller \"v-1\" is already bound");
  }

  @Test
  void aBodyThatIsNoProblemIsShownShortWithItsStatus() {
    assertThat(Problems.describe(502, "<html>\n<b>Bad gateway</b>\n</html>")).isEqualTo("HTTP 502: <html> <b>Bad gateway</b> </html>");
    assertThat(Problems.describe(500, "")).isEqualTo("HTTP 500");
    assertThat(Problems.describe(500, "x".repeat(500))).hasSize("HTTP 500: ".length() + 203);
  }

  @Test
  void aServicesOwnErrorIsShownAsItsText() {
    assertThat(Problems.describe(400, "{\"error\": \"instance 0: preprocess failed: ValueError: missing petal_width\"}"))
        .isEqualTo("HTTP 400: instance 0: preprocess failed: ValueError: missing petal_width");
  }

  @Test
  void mapsHttpStatusesToTheDocumentedExitCodes() {
    assertThat(ExitCodes.forHttpStatus(404)).isEqualTo(3);
    assertThat(ExitCodes.forHttpStatus(409)).isEqualTo(4);
    assertThat(ExitCodes.forHttpStatus(403)).isEqualTo(4);
    assertThat(ExitCodes.forHttpStatus(429)).isEqualTo(4);
    assertThat(ExitCodes.forHttpStatus(401)).isEqualTo(5);
    assertThat(ExitCodes.forHttpStatus(422)).isEqualTo(2);
    assertThat(ExitCodes.forHttpStatus(503)).isEqualTo(1);
  }
}
