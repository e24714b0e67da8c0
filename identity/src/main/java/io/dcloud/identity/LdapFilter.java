package io.dcloud.identity;

import com.unboundid.ldap.sdk.Filter;
import com.unboundid.ldap.sdk.LDAPException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Fills a configured filter template ({@code "(uid={0})"}) with values escaped as RFC 4515 asks,
 * so a value with {@code * ( ) \} or NUL in it is matched literally and cannot widen the filter
 * (LDAP injection). Never concatenate a value into a filter without this.
 */
final class LdapFilter {
  private static final Pattern PLACEHOLDER = Pattern.compile("\\{(\\d)}");

  private LdapFilter() {}

  /**
   * {@code {0}} is {@code values[0]}, {@code {1}} is {@code values[1]}, and so on; in one pass, so a
   * value that itself holds {@code {1}} (a DN may) is not filled again.
   */
  static Filter fill(String template, String... values) throws LDAPException {
    Matcher placeholders = PLACEHOLDER.matcher(template);
    String filter = placeholders.replaceAll(found -> {
      int index = Integer.parseInt(found.group(1));
      return index < values.length ? Matcher.quoteReplacement(Filter.encodeValue(values[index])) : found.group();
    });
    return Filter.create(filter);
  }
}
