package io.dcloud.node;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the node gossips of its dataset cache: the versions it holds, by name, across restarts. */
class CachedVersionsTest {
  private static final String SHA_A = "a".repeat(64);
  private static final String SHA_B = "b".repeat(64);

  @TempDir Path dir;

  @Test
  void listsWhatItHoldsSortedAndOnceEvenWhenOneContentIsSeveralVersions() throws Exception {
    Files.createDirectories(dir.resolve(SHA_A));
    Files.createDirectories(dir.resolve(SHA_B));
    CachedVersions versions = new CachedVersions("n1", dir);

    versions.cached(SHA_B, "images/cifar/train", 3);
    versions.cached(SHA_A, "images/cifar/test", 1);
    versions.cached(SHA_A, "images/cifar/test-copy", 1);
    versions.cached(SHA_B, "images/cifar/train", 3);

    assertThat(versions.held())
        .containsExactly("images/cifar/test-copy@1", "images/cifar/test@1", "images/cifar/train@3");
  }

  @Test
  void aRestartedNodeStillKnowsItsCacheAndAnEvictedVersionIsGone() throws Exception {
    Files.createDirectories(dir.resolve(SHA_A));
    Files.createDirectories(dir.resolve(SHA_B));
    CachedVersions before = new CachedVersions("n1", dir);
    before.cached(SHA_A, "images/cifar/test", 1);
    before.cached(SHA_B, "images/cifar/train", 3);

    CachedVersions restarted = new CachedVersions("n1", dir);
    assertThat(restarted.held()).containsExactly("images/cifar/test@1", "images/cifar/train@3");

    restarted.evicted(SHA_A);
    assertThat(restarted.held()).containsExactly("images/cifar/train@3");
  }
}
