package io.dcloud.gateway.model;

import io.dcloud.contracts.TarHeader;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import org.apache.pekko.NotUsed;
import org.apache.pekko.stream.javadsl.FileIO;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.util.ByteString;

/**
 * A model version's bundle: a tar of {@code config.json}, {@code contract.py}, the serving wrapper
 * {@code dcloud_serve.py} and the artifact as {@code model.<ext>}, in that order, made as it is
 * streamed: the artifact is read from its spool file, never held whole. {@code config.json} comes
 * first so that a model's config is read back from the bundle's first blocks alone ({@link BundleConfig}).
 */
public final class ModelBundle {
  static final String CONTENT_TYPE = "application/x-tar";
  static final String CONFIG = "config.json";
  static final String CONTRACT = "contract.py";
  static final String WRAPPER = "dcloud_serve.py";
  /** The artifact kinds the wrapper loads, by the uploaded file's extension. */
  static final List<String> EXTENSIONS = List.of("joblib", "pkl", "pt");
  private static final String WRAPPER_RESOURCE = "/io/dcloud/serving/" + WRAPPER;
  private static final int MODE = 0644;

  private ModelBundle() {}

  public static Source<ByteString, NotUsed> of(ByteString config, ByteString contract, Path artifact, String extension,
      long artifactSize) {
    return Source.from(List.of(entry(CONFIG, config), entry(CONTRACT, contract), entry(WRAPPER, wrapper())))
        .concat(Source.single(ByteString.fromArray(TarHeader.file("model." + extension, artifactSize, MODE))))
        .concat(FileIO.fromPath(artifact).mapMaterializedValue(io -> NotUsed.getInstance()))
        .concat(Source.single(ByteString.fromArray(new byte[TarHeader.padding(artifactSize)
            + TarHeader.END_BLOCKS * TarHeader.BLOCK])));
  }

  /** The extension of an uploaded artifact's file name the wrapper can load; null when none. */
  static String extension(String fileName) {
    int dot = fileName == null ? -1 : fileName.lastIndexOf('.');
    String extension = dot < 0 ? "" : fileName.substring(dot + 1).toLowerCase(java.util.Locale.ROOT);
    return EXTENSIONS.contains(extension) ? extension : null;
  }

  private static ByteString entry(String name, ByteString content) {
    return ByteString.fromArray(TarHeader.file(name, content.size(), MODE)).concat(content)
        .concat(ByteString.fromArray(new byte[TarHeader.padding(content.size())]));
  }

  /** The wrapper the project ships, as a resource of this module. */
  static ByteString wrapper() {
    return Wrapper.BYTES;
  }

  /** Read once, when first needed. */
  private static final class Wrapper {
    static final ByteString BYTES = read();

    private static ByteString read() {
      try (InputStream in = ModelBundle.class.getResourceAsStream(WRAPPER_RESOURCE)) {
        if (in == null) {
          throw new IllegalStateException(WRAPPER_RESOURCE + " is missing from the classpath");
        }
        return ByteString.fromArray(in.readAllBytes());
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }
}
