package io.dcloud.identity;

import static org.assertj.core.api.Assertions.assertThat;

import com.unboundid.ldap.sdk.Entry;
import com.unboundid.ldap.sdk.Filter;
import org.junit.jupiter.api.Test;

class LdapFilterTest {

  @Test
  void aValueWithFilterMetacharactersIsMatchedLiterally() throws Exception {
    Filter filter = LdapFilter.fill("(uid={0})", "admin)(uid=*");

    assertThat(filter.toString()).isEqualTo("(uid=admin\\29\\28uid=\\2a)");
    assertThat(filter.matchesEntry(new Entry("uid=admin,dc=x", new com.unboundid.ldap.sdk.Attribute("uid", "admin"))))
        .isFalse();
    assertThat(filter.matchesEntry(new Entry("uid=x,dc=x", new com.unboundid.ldap.sdk.Attribute("uid", "admin)(uid=*"))))
        .isTrue();
  }

  @Test
  void aValueHoldingAPlaceholderIsNotFilledAgain() throws Exception {
    Filter filter = LdapFilter.fill("(|(member={0})(memberUid={1}))", "cn={1},dc=x", "bob");

    assertThat(filter.toString()).isEqualTo("(|(member=cn={1},dc=x)(memberUid=bob))");
  }
}
