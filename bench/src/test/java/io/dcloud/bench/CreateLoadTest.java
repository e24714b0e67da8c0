package io.dcloud.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.ConfigFactory;
import io.dcloud.catalog.Catalog;
import io.dcloud.catalog.DefaultCatalog;
import io.dcloud.environment.SpecLimits;
import java.util.List;
import org.junit.jupiter.api.Test;

class CreateLoadTest {
  private final Catalog catalog = DefaultCatalog.load();
  private final SpecLimits limits = SpecLimits.fromConfig(ConfigFactory.load());

  @Test
  void aCreateMadeAgainByItsIndexIsTheOneTheRunSent() {
    List<CreateLoad.Create> sent = CreateLoad.specs(catalog, limits, 5, 2);

    for (int i = 0; i < sent.size(); i++) {
      assertThat(CreateLoad.create(catalog, limits, i, 2)).isEqualTo(sent.get(i));
    }
    assertThat(sent.get(0).spec().resources().gpus()).isEqualTo(1);
    assertThat(sent.get(1).spec().resources().gpus()).isZero();
    assertThat(sent.get(3).spec().name()).isEqualTo("bench-3");
  }
}
