package io.dcloud.http;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.junit.jupiter.api.Test;

class ContentTypeTextsTest {

  @Test
  void aTextReadsAsItsContentTypeTheSameEachTime() {
    var first = ContentTypeTexts.parse("application/json");
    var again = ContentTypeTexts.parse("application/json");

    assertThat(first).isEqualTo(ContentTypes.APPLICATION_JSON);
    assertThat(again).isEqualTo(first);
    assertThat(ContentTypeTexts.parse("text/csv; charset=UTF-8").toString()).isEqualTo("text/csv; charset=UTF-8");
  }

  @Test
  void aTextThatIsNoContentTypeIsPlainBytes() {
    assertThat(ContentTypeTexts.parse("not a type")).isEqualTo(ContentTypes.APPLICATION_OCTET_STREAM);
    assertThat(ContentTypeTexts.parse("not a type")).as("kept as read").isEqualTo(ContentTypes.APPLICATION_OCTET_STREAM);
  }

  @Test
  void pastTheKeptTextsEachIsStillReadRight() {
    for (int i = 0; i < 200; i++) {
      assertThat(ContentTypeTexts.parse("application/x-kind-" + i).toString()).isEqualTo("application/x-kind-" + i);
    }
  }
}
