package io.dcloud.deploy;

/**
 * An image reference split the way the pull and import APIs want it: {@code repository} and
 * {@code tag} ({@code latest} when absent; a digest when the reference has {@code @sha256:...}).
 * A colon before the last slash belongs to a registry port, not to the tag.
 */
record ImageReference(String repository, String tag) {

  private static final String DEFAULT_TAG = "latest";

  static ImageReference parse(String reference) {
    int at = reference.indexOf('@');
    if (at >= 0) {
      return new ImageReference(reference.substring(0, at), reference.substring(at + 1));
    }
    int colon = reference.lastIndexOf(':');
    if (colon > reference.lastIndexOf('/')) {
      return new ImageReference(reference.substring(0, colon), reference.substring(colon + 1));
    }
    return new ImageReference(reference, DEFAULT_TAG);
  }
}
