package io.dcloud.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

class StoredTaskStartsTest {
  @Test
  void tasksReadBackAsTheyWereKept() {
    JobInput.Tasks tasks = new JobInput.Tasks("job-j1-input-in-path-order", 5_000_000_123L, 300_001,
        new long[] {0, 4_096, 3_000_000_000L, 5_000_000_123L}, true);

    JobInput.Tasks read = StoredTaskStarts.decode(StoredTaskStarts.encode(tasks));

    assertThat(read).usingRecursiveComparison().isEqualTo(tasks);
    assertThat(read.count()).isEqualTo(3);
  }

  @Test
  void anotherLayoutIsRefusedNotMisread() {
    byte[] bytes = StoredTaskStarts.encode(new JobInput.Tasks("b1", 10, 1, new long[] {0, 10}, false));
    ByteBuffer.wrap(bytes).putInt(0, 2);

    assertThatThrownBy(() -> StoredTaskStarts.decode(bytes)).hasMessageContaining("layout 2");
  }
}
