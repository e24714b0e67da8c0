package io.dcloud.app;

/** How a test class's @AfterAll ends what its @BeforeAll started. */
final class Closing {
  private Closing() {}

  /**
   * Closes each in the order given, passing over what is still null: @BeforeAll may have failed or
   * been skipped (no Chromium, no Mosquitto) before it started everything.
   */
  static void inOrder(AutoCloseable... started) throws Exception {
    for (AutoCloseable resource : started) {
      if (resource != null) {
        resource.close();
      }
    }
  }
}
