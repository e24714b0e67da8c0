package io.dcloud.cli.common;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The system's tar (GNU tar here) packs a folder in path order, whatever order the folder lists. */
class FolderTarTest {
  @TempDir Path dir;

  @Test
  void aFolderIsPackedInPathOrder() throws Exception {
    Path folder = Files.createDirectory(dir.resolve("inputs"));
    for (String name : List.of("z.jsonl", "m/2.jsonl", "a.jsonl", "m/1.jsonl", "k.jsonl", "b.jsonl")) {
      Files.createDirectories(folder.resolve(name).getParent());
      Files.writeString(folder.resolve(name), "{\"v\": 1}\n");
    }
    Path tar = dir.resolve("inputs.tar");

    Process packing = FolderTar.start(folder);
    Files.copy(packing.getInputStream(), tar);
    assertThat(packing.waitFor()).isZero();
    Process listing = new ProcessBuilder("tar", "-tf", tar.toString()).start();
    List<String> entries = new String(listing.getInputStream().readAllBytes()).lines().toList();

    assertThat(listing.waitFor()).isZero();
    assertThat(FolderTar.sortOption()).as("GNU tar sorts").containsExactly("--sort=name");
    assertThat(entries).containsExactly("./", "./a.jsonl", "./b.jsonl", "./k.jsonl", "./m/", "./m/1.jsonl", "./m/2.jsonl",
        "./z.jsonl");
  }
}
